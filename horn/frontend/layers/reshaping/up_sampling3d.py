"""UpSampling3D: repeats the elements of a volume along each spatial axis."""

from .base_up_sampling import BaseUpSampling


class UpSampling3D(BaseUpSampling):
    """Repeats each element of a volume `size[i]` times along spatial axis i.

    Args:
        size: int or 3 factors, default (2, 2, 2).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.

    Example: `UpSampling3D(2)` on (N, 2, 3, 4, 5) gives (N, 4, 6, 8, 5).
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format=data_format, **kwargs)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
