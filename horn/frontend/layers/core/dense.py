"""Dense: y = activation(x @ kernel + bias), on the last axis of an input of any rank."""

import numbers

from ... import activations, constraints, initializers, ops, regularizers
from ..input_spec import InputSpec
from ..layer import Layer

_REQUIRED = object()


class Dense(Layer):
    """A densely connected layer.

    Args:
        units: size of the last axis of the output.
        activation: name or function (default: none, i.e. linear).
        use_bias: add a bias vector.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint: as in Keras.

    Shapes: (batch, ..., input_dim) -> (batch, ..., units).

    Example: `Dense(64, activation="relu", input_dim=100)`.
    """

    def __init__(self, units=_REQUIRED, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        for legacy, new in (("output_dim", "units"), ("init", "kernel_initializer")):
            if legacy in kwargs:
                raise TypeError(f"Dense() got the Keras 1 argument {legacy!r}: use {new!r}")
        if units is _REQUIRED:  # a default, so that Dense(output_dim=3) reaches the check above
            raise TypeError("Dense() missing 1 required argument: 'units'")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"Dense(units=...) needs a positive integer, got {units!r}")
        self.units = int(units)  # numpy integers too, as Keras 2 accepts them
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True  # per-timestep, so a sequence mask passes through

    def build(self, input_shape):
        last = input_shape[-1]
        if last is None:
            raise ValueError(f"Layer '{self.name}' needs the last axis of its input to be known, "
                             f"got input shape {tuple(input_shape)}")
        self.kernel = self.add_weight(name="kernel", shape=(last, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        self.built = True

    def call(self, inputs):
        if inputs.dtype != self.kernel.dtype:  # integer inputs, as tf.keras's Dense casts them
            inputs = ops.cast(inputs, self.kernel.dtype)
        y = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            y = ops.add(y, self.bias)
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


def _ser(obj):
    return None if obj is None else {"class_name": type(obj).__name__, "config": obj.get_config()}
