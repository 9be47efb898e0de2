"""ZeroPadding3D: zeros around a volume."""

from .base_zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    """Zero-padding of the three spatial axes of a volume.

    Args:
        padding: int (every side), 3 ints (symmetric per axis), or 3 (before, after) pairs;
            default (1, 1, 1).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.

    Shapes (channels_last): (batch, dim1, dim2, dim3, channels) -> padded dims.

    Example: `ZeroPadding3D(1)` on (N, 4, 4, 4, 2) gives (N, 6, 6, 6, 2).
    """

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(3, padding, data_format=data_format, **kwargs)
