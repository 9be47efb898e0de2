"""RandomTranslation: shifts each image by its own random offset while training (Keras 3)."""

import numpy as np

from ... import ops
from .affine import AffineAugmentation, check_range_factor, column, draw


class RandomTranslation(AffineAugmentation):
    """While training, shifts each image by (dy, dx) pixels, dy drawn per image uniformly from
    [lower, upper] * height and dx from the width factor's range * width: the output pixel (y, x)
    reads the input at (y - dy, x - dx); pixels read from outside follow `fill_mode`. The identity
    in predict, evaluate and export.

    Args:
        height_factor: a number f in [-1, 1] (the range [-|f|, |f|]) or a pair (lower, upper), as
            fractions of the height; positive shifts move the content down.
        width_factor: the same for the width; positive shifts move the content right.
        fill_mode: 'reflect' (default, d c b a | a b c d | d c b a), 'wrap', 'constant'
            (`fill_value`) or 'nearest' (the edge pixel).
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: makes the sequence of draws reproducible.
        fill_value: the value 'constant' fills with.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W).

    Shapes: (N, H, W, C) or (H, W, C), height and width known; the output has the input's shape.

    Example: `RandomTranslation(0.1, 0.1, fill_mode="constant")` before a Conv2D.
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = check_range_factor("RandomTranslation", "height_factor", height_factor)
        self.width_factor = check_range_factor("RandomTranslation", "width_factor", width_factor)

    def _random_transform(self, inputs, hw):
        h, w = hw
        dy = draw(inputs, self.height_factor[0] * h, self.height_factor[1] * h, self.seed, 0)
        dx = draw(inputs, self.width_factor[0] * w, self.width_factor[1] * w, self.seed, 1)
        return self._transform(inputs, ops.reshape(ops.concatenate([dx, dy], axis=-1), (-1, 2)))

    def _transform(self, images, translations):
        """Shift image i by translations[i] = (dx, dy) pixels (Keras's "translations")."""
        dtype = np.dtype(self.dtype)
        dx, dy = (ops.cast(column(translations, k), dtype.name) for k in (0, 1))
        coeffs = (1.0, 0.0, ops.negative(dx), 0.0, 1.0, ops.negative(dy))
        return self._resample(images, coeffs)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}
