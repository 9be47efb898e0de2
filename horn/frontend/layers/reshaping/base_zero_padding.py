"""BaseZeroPadding: what ZeroPadding1D/2D/3D share."""

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format
from .spatial_args import spatial_axes, standardize_pairs


class BaseZeroPadding(Layer):
    """Adds rows (columns, ...) of zeros before and after each spatial axis.

    Args:
        rank: number of spatial axes (set by the subclass).
        padding: an int, `rank` ints (symmetric per axis), or `rank` (before, after) pairs.
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
    """

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.padding = standardize_pairs(padding, rank, "padding", type(self).__name__, "padding")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        widths = [(0, 0)] * len(inputs.shape)
        for axis, pair in zip(spatial_axes(self.rank, self.data_format), self.padding):
            widths[axis] = pair
        return ops.pad(inputs, widths)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (a, b) in zip(spatial_axes(self.rank, self.data_format), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + a + b
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}
