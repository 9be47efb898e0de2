"""AveragePooling1D: the mean of each 1-D window."""

from .base_pooling import BasePooling, average_pool


class AveragePooling1D(BasePooling):
    """1-D average pooling: the mean of each window, windows of `pool_size` moved by `strides`.

    Args: pool_size (default 2), strides (default: pool_size), padding ('valid' or
    'same'), data_format ('channels_last' or 'channels_first'); see BasePooling.

    Shapes (channels_last): (batch, steps, features) -> (batch, pooled_steps, features).

    Example: `AveragePooling1D(pool_size=2)` on (N, 10, 8) gives (N, 5, 8).
    """

    _pool = staticmethod(average_pool)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(1, pool_size, strides=strides, padding=padding, data_format=data_format, **kwargs)
