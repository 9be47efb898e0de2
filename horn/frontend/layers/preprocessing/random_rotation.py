"""RandomRotation: rotates each image by its own random angle while training (Keras 3)."""

import math

import numpy as np

from ... import ops
from .affine import AffineAugmentation, draw
from .image_args import check_factor


class RandomRotation(AffineAugmentation):
    """While training, rotates each image about its centre ((H - 1) / 2, (W - 1) / 2) by an angle
    drawn per image uniformly from [lower, upper] * 360 degrees (positive: counter-clockwise, as
    Keras 3): the output pixel p reads the input at R(angle) (p - c) + c, in (x, y) pixel
    coordinates; pixels read from outside follow `fill_mode`. The identity in predict, evaluate
    and export.

    Args:
        factor: a number f in [-1, 1] (the range [-|f|, |f|]) or a pair (lower, upper), as
            fractions of a full turn (2 * pi).
        fill_mode: 'reflect' (default), 'wrap', 'constant' (`fill_value`) or 'nearest'.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: makes the sequence of draws reproducible.
        fill_value: the value 'constant' fills with.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W).

    Shapes: (N, H, W, C) or (H, W, C), height and width known; the output has the input's shape.

    Example: `RandomRotation(0.1)` rotates by up to 36 degrees either way.
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = check_factor("RandomRotation", factor, (-1, 1))

    def _random_transform(self, inputs, hw):
        degrees = draw(inputs, self.factor[0] * 360.0, self.factor[1] * 360.0, self.seed)
        return self._transform(inputs, ops.reshape(degrees, (-1,)))

    def _transform(self, images, degrees):
        """Rotate image i by degrees[i] (shape (N,)) about its centre."""
        dtype = np.dtype(self.dtype)
        h, w = self._image_hw(images)
        theta = ops.multiply(ops.reshape(ops.cast(ops.convert_to_tensor(degrees), dtype.name), (-1, 1, 1)),
                             np.asarray(math.pi / 180.0, dtype))
        cos, sin = ops.cos(theta), ops.sin(theta)
        cx, cy = np.asarray((w - 1) / 2.0, dtype), np.asarray((h - 1) / 2.0, dtype)
        a2 = ops.add(ops.subtract(cx, ops.multiply(cos, cx)), ops.multiply(sin, cy))
        b2 = ops.subtract(ops.subtract(cy, ops.multiply(sin, cx)), ops.multiply(cos, cy))
        coeffs = (cos, ops.negative(sin), a2, sin, cos, b2)
        return self._resample(images, coeffs)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
