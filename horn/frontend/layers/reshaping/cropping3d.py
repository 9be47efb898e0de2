"""Cropping3D: drops slices at the borders of a volume."""

from .base_cropping import BaseCropping


class Cropping3D(BaseCropping):
    """Crops the three spatial axes of a volume.

    Args:
        cropping: int (every side), 3 ints (symmetric per axis), or 3 (start, end) pairs;
            default ((1, 1), (1, 1), (1, 1)).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.

    Example: `Cropping3D(1)` on (N, 6, 6, 6, 2) gives (N, 4, 4, 4, 2).
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format=data_format, **kwargs)
