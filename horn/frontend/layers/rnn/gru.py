"""GRUCell and GRU (Cho et al. 2014), with Keras's gate order [z, r, h] and both reset_after
conventions."""

from ... import activations, ops
from ..input_spec import InputSpec
from ..layer import Layer
from .rnn import (
    CellLayer,
    DropoutRNNCell,
    cell_settings_config,
    check_legacy_args,
    check_units,
    onnx_activations,
    store_cell_settings,
    zero_initial_state,
)


class GRUCell(DropoutRNNCell, Layer):
    """The cell of a Gated Recurrent Unit.

    With the [z, r, h] blocks of x @ kernel (+ input bias) and of h @ recurrent_kernel:
    z = ra(x_z + h_z), r = ra(x_r + h_r), h~ = a(x_h + r * (h @ R_h + b_h)) when reset_after
    (Keras 3's default, cuDNN's and ONNX's linear_before_reset=1), else a(x_h + (r * h) @ R_h);
    h' = z * h + (1 - z) * h~.

    Args:
        units: size of the output and of the state.
        activation ('tanh'), recurrent_activation ('sigmoid'; see LSTMCell for 'hard_sigmoid').
        use_bias, reset_after (default True: the bias has shape (2, 3 units), rows for the input
            and the recurrent projections; False: one bias (3 units,)).
        kernel/recurrent/bias initializers (recurrent: 'orthogonal'), regularizers, constraints.
        dropout, recurrent_dropout, seed: as Keras 3 (with recurrent_dropout, or
            implementation=1, one mask per gate).

    Weights: kernel (input_dim, 3 units), recurrent_kernel (units, 3 units), bias.
    Shapes: call(inputs (batch, input_dim), [h]) -> (h', [h']).
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, implementation=2, **kwargs):
        units = check_units(units, type(self).__name__)
        super().__init__(**kwargs)
        self.units = units
        store_cell_settings(self, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                            kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = bool(reset_after)
        self.implementation = 1 if self.recurrent_dropout else int(implementation)
        if self.implementation == 1:
            self.dropout_mask_count = 3
        self.state_size = self.output_size = units

    def build(self, input_shape):
        input_dim, u = input_shape[-1], self.units
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}' needs the last axis of its input to be known, "
                             f"got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, 3 * u), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(u, 3 * u),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(name="bias", shape=(2, 3 * u) if self.reset_after else (3 * u,),
                                    initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def _biases(self):
        """(input bias, recurrent bias): Keras's one bias, or the two rows of reset_after's."""
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return tuple(ops.unstack(self.bias, axis=0))

    def hoisted_step(self, sequence, training=False):
        """(x @ kernel + input bias for every timestep at once, the recurrent step)."""
        u = self.units
        x = sequence
        input_bias, recurrent_bias = self._biases()
        mask = self.get_dropout_mask(sequence) if training and 0 < self.dropout < 1 else None
        if isinstance(mask, list):  # one mask per gate
            kernels = ops.split(self.kernel, 3, axis=1)
            projected = ops.concatenate([ops.matmul(ops.multiply(x, m), k) for m, k in zip(mask, kernels)], -1)
        else:
            projected = ops.matmul(x if mask is None else ops.multiply(x, mask), self.kernel)
        if input_bias is not None:
            projected = ops.add(projected, input_bias)
        ra, a = self.recurrent_activation, self.activation

        def step(p, states):
            h = states[0] if isinstance(states, (list, tuple)) else states
            x_z, x_r, x_h = ops.split(p, 3, axis=-1)
            rec = self.get_recurrent_dropout_mask(h) if training and 0 < self.recurrent_dropout < 1 else None
            if rec is None and self.reset_after:  # one MatMul for the three blocks
                inner = ops.matmul(h, self.recurrent_kernel)
                if recurrent_bias is not None:
                    inner = ops.add(inner, recurrent_bias)
                r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
                z, r = ra(ops.add(x_z, r_z)), ra(ops.add(x_r, r_r))
                hh = a(ops.add(x_h, ops.multiply(r, r_h)))
            else:
                h_z, h_r, h_h = [ops.multiply(h, m) for m in rec] if rec is not None else (h, h, h)
                k_zr, k_h = ops.split(self.recurrent_kernel, [2 * u], axis=1)
                if rec is None:  # z and r blocks in one MatMul
                    r_z, r_r = ops.split(ops.matmul(h, k_zr), 2, axis=-1)
                else:
                    k_z, k_r = ops.split(k_zr, 2, axis=1)
                    r_z, r_r = ops.matmul(h_z, k_z), ops.matmul(h_r, k_r)
                if recurrent_bias is not None:
                    b_z, b_r, b_h = ops.split(recurrent_bias, 3, axis=0)
                    r_z, r_r = ops.add(r_z, b_z), ops.add(r_r, b_r)
                z, r = ra(ops.add(x_z, r_z)), ra(ops.add(x_r, r_r))
                if self.reset_after:
                    r_h = ops.matmul(h_h, k_h)
                    if recurrent_bias is not None:
                        r_h = ops.add(r_h, b_h)
                    r_h = ops.multiply(r, r_h)
                else:
                    r_h = ops.matmul(ops.multiply(r, h_h), k_h)
                hh = a(ops.add(x_h, r_h))
            h = ops.add(ops.multiply(z, h), ops.multiply(ops.subtract(1.0, z), hh))
            return h, [h] if isinstance(states, (list, tuple)) else h

        return projected, step

    def call(self, inputs, states, training=False):
        projected, step = self.hoisted_step(inputs, training)
        return step(projected, states)

    def fused_sequence(self, sequence, states, reverse=False):
        """ONNX's GRU op over the whole (time, batch, features) sequence, or None."""
        acts = onnx_activations(self.recurrent_activation, self.activation)
        if acts is None or sequence.dtype != "float32":
            return None
        w = ops.expand_dims(ops.transpose(self.kernel), 0)  # (1, 3 units, input_dim), [z, r, h] as ONNX
        r = ops.expand_dims(ops.transpose(self.recurrent_kernel), 0)
        b = None
        if self.use_bias:
            b = ops.reshape(self.bias, (1, 6 * self.units)) if self.reset_after else \
                ops.expand_dims(ops.concatenate([self.bias, ops.zeros_like(self.bias)], axis=0), 0)
        h0 = None if states[0] is None else ops.expand_dims(states[0], 0)
        y, y_h = ops.fused_gru(sequence, w, r, b, None, h0, direction="reverse" if reverse else "forward",
                               activations=acts[0], activation_alpha=acts[1], activation_beta=acts[2],
                               linear_before_reset=self.reset_after)
        return ops.squeeze(y, 1), [ops.squeeze(y_h, 0)]

    def get_initial_state(self, batch_size=None):
        return zero_initial_state(self, batch_size)

    get_initial_state._horn_zeros = True

    def get_config(self):
        return {**super().get_config(), "units": self.units, **cell_settings_config(self),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after, "implementation": self.implementation}


class GRU(CellLayer):
    """Gated Recurrent Unit layer (Cho et al. 2014).

    Args:
        units, activation ('tanh'), recurrent_activation ('sigmoid'), use_bias, reset_after
        (default True, as Keras 3; Keras 2's default was False), the initializers (recurrent:
        'orthogonal'), regularizers and constraints, dropout, recurrent_dropout, seed: as GRUCell.
        return_sequences, return_state, go_backwards, stateful, unroll: as RNN.
        use_cudnn, implementation: accepted for Keras compatibility.

    Shapes: (batch, time, features) -> (batch, units), or (batch, time, units) with
    return_sequences; with return_state, also the final state (batch, units).

    Example:
        GRU(64, return_sequences=True, input_shape=(None, 16))
    """

    _CELL_ATTRS = ("units", "activation", "recurrent_activation", "use_bias", "reset_after",
                   "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                   "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                   "bias_constraint", "dropout", "recurrent_dropout", "seed", "implementation")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True, use_cudnn="auto",
                 implementation=2, **kwargs):
        check_legacy_args(kwargs, "GRU")
        cell = GRUCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                       kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                       bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                       recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                       kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                       bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                       reset_after=reset_after, seed=seed, implementation=implementation, name="gru_cell",
                       dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
