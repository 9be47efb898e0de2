"""TimeDistributed: applies one layer to every timestep of a sequence."""

import inspect

import numpy as np

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer


class TimeDistributed(Layer):
    """Applies `layer` to each timestep: (batch, time, ...) -> (batch, time, ...layer output).

    The time axis is folded into the batch (one Reshape), the layer runs once on all
    batch*time rows with shared weights, and the result is unfolded. A mask on the input passes
    through to the output (and reaches the inner layer, folded, if its call takes `mask`).

    Args:
        layer: any layer whose input is one timestep.

    Shapes: (batch, time, *step) -> (batch, time, *layer.compute_output_shape((batch, *step))[1:]);
    time (and the step axes, where the layer allows) may be unknown while tracing (None): the
    unfolding Reshape then reads batch and time at run time.

    Example: `TimeDistributed(Dense(10, activation="softmax"))` after `LSTM(64, return_sequences=True)`.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed needs a Layer instance to wrap, got {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)

    @staticmethod
    def _step_shape(input_shape):
        return (None,) + tuple(input_shape[2:])

    def build(self, input_shape):
        if not self.layer.built:
            self.layer._maybe_build([self._step_shape(input_shape)])

    def call(self, inputs, training=None, mask=None):
        time = inputs.shape[1]
        kwargs = {"training": training} if training is not None else {}
        if mask is not None and _takes_mask(self.layer):
            kwargs["mask"] = ops.reshape(mask, (-1,) + tuple(mask.shape[2:]))
        rows = self.layer(_fold(inputs), **kwargs)
        if time is not None and None not in rows.shape[1:]:
            return ops.reshape(rows, [-1, time] + list(rows.shape[1:]))
        # A time (or step) axis unknown while tracing: batch and time are read at run time.
        return ops.reshape(rows, ops.concatenate([ops.dynamic_shape(inputs, 0, 2), _dims(rows, 1)]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._step_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        return {**super().get_config(),
                "layer": {"class_name": type(self.layer).__name__, "config": self.layer.get_config()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer

        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return cls(**config)


def _fold(x):
    """(batch, time, *step) -> (batch * time, *step)."""
    if None not in x.shape[2:]:
        return ops.reshape(x, [-1] + list(x.shape[2:]))
    return ops.reshape(x, ops.concatenate([np.array([-1], np.int64), ops.dynamic_shape(x, 2)]))


def _dims(x, start):
    """x.shape[start:] as an int64 vector: a constant where known, else read at run time."""
    dims = x.shape[start:]
    return ops.dynamic_shape(x, start) if None in dims else np.array(dims, np.int64)


def _takes_mask(layer):
    params = inspect.signature(layer.call).parameters
    return "mask" in params
