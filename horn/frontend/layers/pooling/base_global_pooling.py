"""BaseGlobalPooling: what GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D share."""

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format


class BaseGlobalPooling(Layer):
    """Reduces every spatial axis (the subclass sets `rank` and `_reduce`).

    Args:
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
        keepdims: keep the spatial axes, with size 1 (Keras 2.6+/3).
    """

    _reduce = None  # ops.max or ops.mean

    def __init__(self, rank, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = normalize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=rank + 2)

    def spatial_axes(self):
        first = 1 if self.data_format == "channels_last" else 2
        return list(range(first, first + self.rank))

    def call(self, inputs):
        return self._reduce(inputs, axis=self.spatial_axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        axes = self.spatial_axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


def reduce_max(x, axis, keepdims):
    return ops.max(x, axis=axis, keepdims=keepdims)


def reduce_mean(x, axis, keepdims):
    return ops.mean(x, axis=axis, keepdims=keepdims)
