"""GlobalMaxPooling1D: the maximum over every spatial axis."""

from .base_global_pooling import BaseGlobalPooling, reduce_max


class GlobalMaxPooling1D(BaseGlobalPooling):
    """The maximum of each channel over the 1 spatial axis.

    Args: data_format ('channels_last' or 'channels_first'), keepdims (keep the spatial axes
    with size 1).

    Shapes (channels_last): (batch, steps, features) -> (batch, features).

    Example: `GlobalMaxPooling1D()` on (N, 6, 8) gives (N, 8).
    """

    _reduce = staticmethod(reduce_max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)
