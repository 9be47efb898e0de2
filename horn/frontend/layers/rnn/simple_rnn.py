"""SimpleRNNCell and SimpleRNN: output = activation(x @ kernel + h @ recurrent_kernel + bias)."""

from ... import ops
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


class SimpleRNNCell(DropoutRNNCell, Layer):
    """The cell of a fully connected RNN whose output is fed back as its state.

    Args:
        units: size of the output and of the state.
        activation: default 'tanh'.
        use_bias: add a bias vector.
        kernel_initializer ('glorot_uniform'), recurrent_initializer ('orthogonal'),
        bias_initializer ('zeros'), kernel/recurrent/bias_regularizer, kernel/recurrent/
        bias_constraint: as in Keras.
        dropout, recurrent_dropout: fractions of the inputs / of the state dropped while
            training (one mask per sequence).
        seed: seed of the dropout masks.

    Weights: kernel (input_dim, units), recurrent_kernel (units, units), bias (units,).
    Shapes: call(inputs (batch, input_dim), [h (batch, units)]) -> (output, [output]).
    """

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        units = check_units(units, type(self).__name__)
        super().__init__(**kwargs)
        self.units = units
        store_cell_settings(self, activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer,
                            kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
                            recurrent_constraint, bias_constraint, dropout, recurrent_dropout, seed)
        self.state_size = self.output_size = units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Layer '{self.name}' needs the last axis of its input to be known, "
                             f"got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, self.units),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(self.units, self.units),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def hoisted_step(self, sequence, training=False):
        """(x @ kernel + bias for every timestep at once, the recurrent step)."""
        x = sequence
        if training and 0 < self.dropout < 1:
            x = ops.multiply(x, self.get_dropout_mask(sequence))
        projected = ops.matmul(x, self.kernel)
        if self.use_bias:
            projected = ops.add(projected, self.bias)

        def step(p, states):
            h = states[0] if isinstance(states, (list, tuple)) else states
            if training and 0 < self.recurrent_dropout < 1:
                h = ops.multiply(h, self.get_recurrent_dropout_mask(h))
            output = self.activation(ops.add(p, ops.matmul(h, self.recurrent_kernel)))
            return output, [output] if isinstance(states, (list, tuple)) else output

        return projected, step

    def call(self, inputs, states, training=False):
        projected, step = self.hoisted_step(inputs, training)
        return step(projected, states)

    def fused_sequence(self, sequence, states, reverse=False):
        """ONNX's RNN op over the whole (time, batch, features) sequence, or None."""
        acts = onnx_activations(self.activation)
        if acts is None or sequence.dtype != "float32":
            return None
        w = ops.expand_dims(ops.transpose(self.kernel), 0)  # (1, units, input_dim)
        r = ops.expand_dims(ops.transpose(self.recurrent_kernel), 0)
        b = None
        if self.use_bias:  # ONNX adds Wb and Rb; Keras has one bias
            b = ops.expand_dims(ops.concatenate([self.bias, ops.zeros_like(self.bias)], axis=0), 0)
        h0 = None if states[0] is None else ops.expand_dims(states[0], 0)
        y, y_h = ops.fused_rnn(sequence, w, r, b, None, h0, direction="reverse" if reverse else "forward",
                               activations=acts[0], activation_alpha=acts[1], activation_beta=acts[2])
        return ops.squeeze(y, 1), [ops.squeeze(y_h, 0)]

    def get_initial_state(self, batch_size=None):
        return zero_initial_state(self, batch_size)

    get_initial_state._horn_zeros = True

    def get_config(self):
        return {**super().get_config(), "units": self.units, **cell_settings_config(self)}


class SimpleRNN(CellLayer):
    """A fully connected RNN whose output is fed back as its input at the next timestep.

    Args:
        units, activation ('tanh'), use_bias, the initializers (recurrent: 'orthogonal'),
        regularizers and constraints, dropout, recurrent_dropout, seed: as SimpleRNNCell.
        return_sequences, return_state, go_backwards, stateful, unroll: as RNN.

    Shapes: (batch, time, features) -> (batch, units), or (batch, time, units) with
    return_sequences; with return_state, also the final state (batch, units).

    Example:
        SimpleRNN(32, input_shape=(10, 8))
    """

    _CELL_ATTRS = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                   "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                   "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                   "recurrent_dropout", "seed")

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, **kwargs):
        check_legacy_args(kwargs, "SimpleRNN")
        cell = SimpleRNNCell(units, activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                             recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                             kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                             bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                             recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                             dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
                             name="simple_rnn_cell", dtype=kwargs.get("dtype"),
                             trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)
