"""AveragePooling2D: the mean of each 2-D window."""

from .base_pooling import BasePooling, average_pool


class AveragePooling2D(BasePooling):
    """2-D average pooling: the mean of each window, windows of `pool_size` moved by `strides`.

    Args: pool_size (default (2, 2)), strides (default: pool_size), padding ('valid' or
    'same'), data_format ('channels_last' or 'channels_first'); see BasePooling.

    Shapes (channels_last): (batch, rows, cols, channels) -> (batch, pooled_rows, pooled_cols, channels).

    Example: `AveragePooling2D((2, 2))` on (N, 28, 28, 32) gives (N, 14, 14, 32).
    """

    _pool = staticmethod(average_pool)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(2, pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)
