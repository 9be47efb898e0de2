"""AveragePooling3D: the mean of each 3-D window."""

from .base_pooling import BasePooling, average_pool


class AveragePooling3D(BasePooling):
    """3-D average pooling: the mean of each window, windows of `pool_size` moved by `strides`.

    Args: pool_size (default (2, 2, 2)), strides (default: pool_size), padding ('valid' or
    'same'), data_format ('channels_last' or 'channels_first'); see BasePooling.

    Shapes (channels_last): (batch, dim1, dim2, dim3, channels) ->
    (batch, pooled_dim1, pooled_dim2, pooled_dim3, channels).

    Example: `AveragePooling3D(2)` on (N, 8, 8, 8, 4) gives (N, 4, 4, 4, 4).
    """

    _pool = staticmethod(average_pool)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(3, pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)
