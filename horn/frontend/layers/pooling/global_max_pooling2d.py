"""GlobalMaxPooling2D: the maximum over every spatial axis."""

from .base_global_pooling import BaseGlobalPooling, reduce_max


class GlobalMaxPooling2D(BaseGlobalPooling):
    """The maximum of each channel over the 2 spatial axes.

    Args: data_format ('channels_last' or 'channels_first'), keepdims (keep the spatial axes
    with size 1).

    Shapes (channels_last): (batch, rows, cols, channels) -> (batch, channels).

    Example: `GlobalMaxPooling2D()` on (N, 6, 6, 8) gives (N, 8).
    """

    _reduce = staticmethod(reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)
