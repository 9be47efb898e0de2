"""LSTMCell and LSTM (Hochreiter 1997), with Keras's gate order [i, f, c, o]."""

import numpy as np

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

_ONNX_ORDER = [0, 3, 1, 2]  # Keras's [i, f, c, o] blocks in ONNX's order [i, o, f, c]


def _reorder(w, axis, order=_ONNX_ORDER):
    parts = ops.split(w, 4, axis=axis)
    return ops.concatenate([parts[k] for k in order], axis=axis)


class LSTMCell(DropoutRNNCell, Layer):
    """The cell of a Long Short-Term Memory layer.

    With z = x @ kernel + h @ recurrent_kernel + bias split into [i, f, c, o] blocks:
    c' = ra(f) * c + ra(i) * a(c~), h' = ra(o) * a(c'), where a is `activation` and ra
    `recurrent_activation`.

    Args:
        units: size of the output and of each state (h and c).
        activation ('tanh'), recurrent_activation ('sigmoid'; 'hard_sigmoid' is Keras 3's
            relu6(x + 3) / 6, 'hard_sigmoid_keras2' Keras 2's clip(0.2x + 0.5, 0, 1)).
        use_bias, unit_forget_bias (the forget block of the bias starts at 1).
        kernel/recurrent/bias initializers (recurrent: 'orthogonal'), regularizers, constraints.
        dropout, recurrent_dropout, seed: as Keras 3 (with recurrent_dropout, or
            implementation=1, one mask per gate).

    Weights: kernel (input_dim, 4 units), recurrent_kernel (units, 4 units), bias (4 units,).
    Shapes: call(inputs (batch, input_dim), [h, c]) -> (h', [h', c']).
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, implementation=2, **kwargs):
        units = check_units(units, type(self).__name__)
        super().__init__(**kwargs)
        self.units = units
        store_cell_settings(self, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                            kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.implementation = 1 if self.recurrent_dropout else int(implementation)
        if self.implementation == 1:
            self.dropout_mask_count = 4
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        input_dim, u = input_shape[-1], self.units
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}' needs the last axis of its input to be known, "
                             f"got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, 4 * u), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(u, 4 * u),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                base = self.bias_initializer

                def init(shape, dtype="float32"):
                    return np.concatenate([base((u,), dtype=dtype), np.ones(u, dtype),
                                           base((2 * u,), dtype=dtype)]).astype(dtype)
            self.bias = self.add_weight(name="bias", shape=(4 * u,), initializer=init,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)

    def hoisted_step(self, sequence, training=False):
        """(x @ kernel + bias for every timestep at once, the recurrent step). The step splits
        the gates in Keras's order and gives each its own activation. One recurrent_activation
        over a reordered [i, f, o] block has 2 ops fewer a step, but its derivative is then taken
        over the whole block, saved once more and split again: the imdb_lstm training step was
        3% slower that way (27 of 30 interleaved rounds), though 2% faster with hard_sigmoid."""
        x = sequence
        mask = self.get_dropout_mask(sequence) if training and 0 < self.dropout < 1 else None
        if isinstance(mask, list):  # one mask per gate
            kernels = ops.split(self.kernel, 4, axis=1)
            projected = ops.concatenate([ops.matmul(ops.multiply(x, m), k) for m, k in zip(mask, kernels)], -1)
        else:
            projected = ops.matmul(x if mask is None else ops.multiply(x, mask), self.kernel)
        if self.use_bias:
            projected = ops.add(projected, self.bias)
        ra, a = self.recurrent_activation, self.activation

        def step(p, states):
            h, c = states[0], states[1]
            rec = self.get_recurrent_dropout_mask(h) if training and 0 < self.recurrent_dropout < 1 else None
            if isinstance(rec, list):  # one mask per gate
                kernels = ops.split(self.recurrent_kernel, 4, axis=1)
                recurrent = ops.concatenate([ops.matmul(ops.multiply(h, m), k) for m, k in zip(rec, kernels)], -1)
            else:
                recurrent = ops.matmul(h if rec is None else ops.multiply(h, rec), self.recurrent_kernel)
            z_i, z_f, z_c, z_o = ops.split(ops.add(p, recurrent), 4, axis=-1)
            c = ops.add(ops.multiply(ra(z_f), c), ops.multiply(ra(z_i), a(z_c)))
            h = ops.multiply(ra(z_o), a(c))
            return h, [h, c]

        return projected, step

    def call(self, inputs, states, training=False):
        projected, step = self.hoisted_step(inputs, training)
        return step(projected, states)

    def fused_sequence(self, sequence, states, reverse=False):
        """ONNX's LSTM op over the whole (time, batch, features) sequence, or None."""
        acts = onnx_activations(self.recurrent_activation, self.activation, self.activation)
        if acts is None or sequence.dtype != "float32":
            return None
        w = ops.expand_dims(ops.transpose(_reorder(self.kernel, 1)), 0)  # (1, 4 units, input_dim)
        r = ops.expand_dims(ops.transpose(_reorder(self.recurrent_kernel, 1)), 0)
        b = None
        if self.use_bias:  # ONNX adds Wb and Rb; Keras has one bias
            bias = _reorder(self.bias, 0)
            b = ops.expand_dims(ops.concatenate([bias, ops.zeros_like(bias)], axis=0), 0)
        h0, c0 = (None if s is None else ops.expand_dims(s, 0) for s in states)
        y, y_h, y_c = ops.fused_lstm(sequence, w, r, b, None, h0, c0, direction="reverse" if reverse else "forward",
                                     activations=acts[0], activation_alpha=acts[1], activation_beta=acts[2])
        return ops.squeeze(y, 1), [ops.squeeze(y_h, 0), ops.squeeze(y_c, 0)]

    def get_initial_state(self, batch_size=None):
        return zero_initial_state(self, batch_size)

    get_initial_state._horn_zeros = True

    def get_config(self):
        return {**super().get_config(), "units": self.units, **cell_settings_config(self),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias, "implementation": self.implementation}


class LSTM(CellLayer):
    """Long Short-Term Memory layer (Hochreiter 1997).

    Args:
        units, activation ('tanh'), recurrent_activation ('sigmoid'), use_bias, unit_forget_bias,
        the initializers (recurrent: 'orthogonal'), regularizers and constraints, dropout,
        recurrent_dropout, seed: as LSTMCell.
        return_sequences, return_state, go_backwards, stateful, unroll: as RNN.
        use_cudnn, implementation: accepted for Keras compatibility.

    Shapes: (batch, time, features) -> (batch, units), or (batch, time, units) with
    return_sequences; with return_state, also the final h and c, each (batch, units).
    Predict and export run ONNX's fused LSTM op where the activations allow it; training
    unrolls the recurrence (one set of ops per timestep).

    Example:
        model = Sequential([Embedding(20000, 128), LSTM(128), Dense(1, activation="sigmoid")])
    """

    _CELL_ATTRS = ("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias",
                   "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                   "recurrent_regularizer", "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                   "bias_constraint", "dropout", "recurrent_dropout", "seed", "implementation")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, use_cudnn="auto", implementation=2, **kwargs):
        check_legacy_args(kwargs, "LSTM")
        cell = LSTMCell(units, activation=activation, recurrent_activation=recurrent_activation, use_bias=use_bias,
                        kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                        bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
                        kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                        bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                        recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint, dropout=dropout,
                        recurrent_dropout=recurrent_dropout, seed=seed, implementation=implementation,
                        name="lstm_cell", dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)

