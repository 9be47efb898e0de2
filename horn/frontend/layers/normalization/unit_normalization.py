"""UnitNormalization: scales each sample to unit L2 norm over the given axes."""

import numbers

from ... import ops
from ..layer import Layer

# Keras 3 bounds the norm below by 1e-12 (x / max(||x||, 1e-12)). horn bounds the squared sum by
# 1e-24 instead: the same value, but the gradient at x == 0 stays finite (sqrt's is infinite at 0).
_MIN_SQUARED_NORM = 1e-24


class UnitNormalization(Layer):
    """x / max(sqrt(sum(x^2 over axis)), 1e-12): each sample gets an L2 norm of 1 over `axis`.

    Args:
        axis: the axis or axes (int or list of ints) to normalize over; default -1, the features.

    Shapes: any; the output has the input's shape.

    Example: `UnitNormalization()` on embeddings before a cosine-similarity dot product.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and all(_is_int(a) for a in axis):
            self.axis = [int(a) for a in axis]
        elif _is_int(axis):
            self.axis = int(axis)
        else:
            raise TypeError(f"UnitNormalization(axis=...) must be an int or a list/tuple of ints, got {axis!r}")
        self.supports_masking = True

    def call(self, inputs):
        self._check_axes(inputs.shape)
        squared = ops.sum(ops.square(inputs), axis=self.axis, keepdims=True)
        return ops.divide(inputs, ops.sqrt(ops.maximum(squared, _MIN_SQUARED_NORM)))

    def _check_axes(self, input_shape):
        rank = len(input_shape)
        for a in self.axis if isinstance(self.axis, list) else [self.axis]:
            if not -rank <= a < rank:
                raise ValueError(f"Layer '{self.name}' (UnitNormalization) has axis={self.axis}, out of range "
                                 f"for its input shape {tuple(input_shape)} (rank {rank})")

    def compute_output_shape(self, input_shape):
        self._check_axes(input_shape)
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def _is_int(a):
    return isinstance(a, numbers.Integral) and not isinstance(a, bool)
