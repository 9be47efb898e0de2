"""Cropping2D: drops rows and columns at the borders of an image."""

from .base_cropping import BaseCropping


class Cropping2D(BaseCropping):
    """Crops the rows and columns of an image.

    Args:
        cropping: int (every side), (rows, cols) (symmetric), or ((top, bottom), (left, right));
            default ((0, 0), (0, 0)).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.

    Shapes (channels_last): (batch, rows, cols, channels) -> (batch, cropped_rows, cropped_cols, channels).

    Example: `Cropping2D(((2, 2), (4, 4)))` on (N, 28, 28, 3) gives (N, 24, 20, 3).
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format=data_format, **kwargs)
