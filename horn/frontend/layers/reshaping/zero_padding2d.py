"""ZeroPadding2D: rows and columns of zeros around an image."""

from .base_zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    """Zero-padding of the rows and columns of an image.

    Args:
        padding: int (every side), (rows, cols) (symmetric), or ((top, bottom), (left, right));
            default (1, 1).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.

    Shapes (channels_last): (batch, rows, cols, channels) -> (batch, padded_rows, padded_cols, channels).

    Example: `ZeroPadding2D(((1, 0), (2, 3)))` on (N, 4, 4, 3) gives (N, 5, 9, 3).
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format=data_format, **kwargs)
