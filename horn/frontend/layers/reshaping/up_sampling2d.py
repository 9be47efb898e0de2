"""UpSampling2D: repeats rows and columns, or resizes bilinearly."""

from .base_up_sampling import BaseUpSampling


class UpSampling2D(BaseUpSampling):
    """Upsamples an image by integer factors.

    Args:
        size: int or (rows, cols) factors, default (2, 2).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
        interpolation: 'nearest' (repeat each pixel) or 'bilinear' (Keras's half-pixel bilinear
            resize, edges clamped).

    Shapes (channels_last): (batch, rows, cols, channels) -> (batch, rows * size[0], cols * size[1], channels).

    Example: `UpSampling2D((2, 3), interpolation="bilinear")` on (N, 4, 5, 8) gives (N, 8, 15, 8).
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, size, data_format=data_format, interpolation=interpolation, **kwargs)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
