"""RandomZoom: zooms each image in or out by its own random factors while training (Keras 3)."""

import numpy as np

from ... import ops
from .affine import AffineAugmentation, check_range_factor, column, draw


class RandomZoom(AffineAugmentation):
    """While training, scales each image about its centre: zoom factors zy and zx are drawn per
    image uniformly from 1 + [lower, upper] of height_factor and width_factor, and the output
    pixel (y, x) reads the input at (c_y + zy (y - c_y), c_x + zx (x - c_x)), c the centre
    ((H - 1) / 2, (W - 1) / 2). So, as Keras 3 documents, a positive factor zooms out (the
    content shrinks) and a negative one zooms in; pixels read from outside follow `fill_mode`.
    The identity in predict, evaluate and export.

    Args:
        height_factor: a number f in (-1, 1] (the range [-|f|, |f|]) or a pair (lower, upper).
        width_factor: the same for the width, or None (default) to zoom both axes by zy.
        fill_mode: 'reflect' (default), 'wrap', 'constant' (`fill_value`) or 'nearest'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: makes the sequence of draws reproducible.
        fill_value: the value 'constant' fills with.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W).

    Shapes: (N, H, W, C) or (H, W, C), height and width known; the output has the input's shape.

    Example: `RandomZoom((-0.2, 0.0))` zooms in by up to 20%.
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor = check_range_factor("RandomZoom", "height_factor", height_factor, open_low=True)
        self.width_factor = None if width_factor is None else \
            check_range_factor("RandomZoom", "width_factor", width_factor, open_low=True)

    def _random_transform(self, inputs, hw):
        zy = draw(inputs, 1.0 + self.height_factor[0], 1.0 + self.height_factor[1], self.seed, 0)
        zx = zy if self.width_factor is None else \
            draw(inputs, 1.0 + self.width_factor[0], 1.0 + self.width_factor[1], self.seed, 1)
        return self._transform(inputs, ops.reshape(ops.concatenate([zx, zy], axis=-1), (-1, 2)))

    def _transform(self, images, zooms):
        """Scale image i by zooms[i] = (zx, zy) about its centre (Keras's width and height zoom)."""
        dtype = np.dtype(self.dtype)
        h, w = self._image_hw(images)
        zx, zy = (ops.cast(column(zooms, k), dtype.name) for k in (0, 1))
        one = np.asarray(1.0, dtype)
        a2 = ops.multiply(np.asarray((w - 1) / 2.0, dtype), ops.subtract(one, zx))
        b2 = ops.multiply(np.asarray((h - 1) / 2.0, dtype), ops.subtract(one, zy))
        return self._resample(images, (zx, 0.0, a2, 0.0, zy, b2))

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}
