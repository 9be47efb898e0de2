"""Rescaling: x * scale + offset (Keras 3's preprocessing layer, e.g. pixels 0..255 to 0..1)."""

import numbers

import numpy as np

from ... import config, ops
from ..layer import Layer


class Rescaling(Layer):
    """x * scale + offset, the input first cast to the layer's dtype (so uint8 images work).

    Args:
        scale: a number, or a list/array broadcast over the last axis (over the channel axis,
            axis 1, when keras.config.image_data_format() is 'channels_first', as in Keras).
        offset: a number or list/array, broadcast the same way; default 0.

    Shapes: any; the output has the input's shape.

    Example: `Rescaling(1 / 127.5, offset=-1)` maps pixels in [0, 255] to [-1, 1].
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = _plain("scale", _from_keras(scale))
        self.offset = _plain("offset", _from_keras(offset))
        self.supports_masking = True

    def call(self, inputs):
        dtype = self.dtype.name
        if np.dtype(inputs.dtype) != self.dtype:
            inputs = ops.cast(inputs, dtype)
        scale = np.asarray(self.scale, dtype)
        if scale.ndim > 0 and config.image_data_format() == "channels_first":
            # Keras lines the scale's axes up with (channels, height, width).
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        return ops.add(ops.multiply(inputs, scale), np.asarray(self.offset, dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


def _from_keras(value):
    """A Keras 3 config's scale/offset: a number or list as is, a serialized numpy array or tuple
    ({"class_name": "__numpy__" | "__tuple__", "config": {"value": ...}}) as its value."""
    if isinstance(value, dict) and value.get("class_name") in ("__numpy__", "__tuple__", "__tensor__"):
        return value["config"]["value"]
    return value


def _plain(arg, value):
    """A number stays a float; an array or list becomes a (nested) list of floats, JSON-ready."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    try:
        array = np.asarray(value, np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype.kind != "f" or array.size == 0:
        raise TypeError(f"Rescaling({arg}=...) must be a number or a list/array of numbers, got {value!r}")
    return float(array) if array.ndim == 0 else array.tolist()
