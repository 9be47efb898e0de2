"""GlobalAveragePooling3D: the mean over every spatial axis."""

from .base_global_pooling import BaseGlobalPooling, reduce_mean


class GlobalAveragePooling3D(BaseGlobalPooling):
    """The mean of each channel over the 3 spatial axes.

    Args: data_format ('channels_last' or 'channels_first'), keepdims (keep the spatial axes
    with size 1).

    Shapes (channels_last): (batch, dim1, dim2, dim3, channels) -> (batch, channels).

    Example: `GlobalAveragePooling3D()` on (N, 6, 6, 6, 8) gives (N, 8).
    """

    _reduce = staticmethod(reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)
