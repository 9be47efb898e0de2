"""RandomZoom: zooms each image in or out by its own random factors while training (Keras 3)."""

import numpy as np

from ... import ops
from ..layer import Layer
from .affine import affine_transform, check_range_factor, check_resampling, column, draw
from .image_args import as_float, check_data_format, spatial_axes, static_hw


class RandomZoom(Layer):
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
        super().__init__(**kwargs)
        self.height_factor = check_range_factor("RandomZoom", "height_factor", height_factor, open_low=True)
        self.width_factor = None if width_factor is None else \
            check_range_factor("RandomZoom", "width_factor", width_factor, open_low=True)
        self.fill_value = check_resampling("RandomZoom", fill_mode, interpolation, fill_value)
        self.fill_mode, self.interpolation, self.seed = fill_mode, interpolation, seed
        self.data_format = check_data_format("RandomZoom", data_format)

    def call(self, inputs, training=False):
        spatial_axes("RandomZoom", inputs.shape, self.data_format)
        inputs = as_float("RandomZoom", inputs, self.dtype)
        if not training:
            return inputs
        zy = draw(inputs, 1.0 + self.height_factor[0], 1.0 + self.height_factor[1], self.seed, 0)
        zx = zy if self.width_factor is None else \
            draw(inputs, 1.0 + self.width_factor[0], 1.0 + self.width_factor[1], self.seed, 1)
        return self._transform(inputs, ops.reshape(ops.concatenate([zx, zy], axis=-1), (-1, 2)))

    def _transform(self, images, zooms):
        """Scale image i by zooms[i] = (zx, zy) about its centre (Keras's width and height zoom)."""
        dtype = np.dtype(self.dtype)
        h, w = static_hw("RandomZoom", images.shape, spatial_axes("RandomZoom", images.shape, self.data_format))
        zx, zy = (ops.cast(column(zooms, k), dtype.name) for k in (0, 1))
        one = np.asarray(1.0, dtype)
        a2 = ops.multiply(np.asarray((w - 1) / 2.0, dtype), ops.subtract(one, zx))
        b2 = ops.multiply(np.asarray((h - 1) / 2.0, dtype), ops.subtract(one, zy))
        return affine_transform("RandomZoom", images, (zx, 0.0, a2, 0.0, zy, b2), self.fill_mode,
                                self.interpolation, self.fill_value, self.data_format)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
