"""What RandomTranslation, RandomRotation and RandomZoom share: argument checks, per-image draws and
the resampling of each image through its own affine map (one ONNX GridSample).

An affine map is six coefficients (a0, a1, a2, b0, b1, b2), each a number or a tensor of shape
(N, 1, 1) (one value per image): the output pixel at column x, row y reads the input at column
a0 * x + a1 * y + a2 and row b0 * x + b1 * y + b2 (pixel centres at integer coordinates), as in
Keras 3's affine_transform. Reading between pixels interpolates ('bilinear') or rounds
('nearest'); reading outside the image follows fill_mode:

- 'constant': fill_value (GridSample's zeros padding, applied to images - fill_value);
- 'nearest': the closest edge pixel (GridSample's border padding);
- 'reflect': reflection about the outer edge of the border pixels, (d c b a | a b c d | d c b a),
  which is GridSample's reflection padding with align_corners=0;
- 'wrap': (a b c d | a b c d | a b c d): coordinates are taken modulo the size, on the image
  with its first row and column appended (so interpolation between the last and the first pixel
  wraps too), with border padding.

With 'nearest' interpolation the coordinates are rounded (halves away from zero, as Keras) before
GridSample, which would round halves to even.
"""

import numbers

import numpy as np

from ... import ops
from ..layer import Layer
from .image_args import as_float, check_data_format, per_image_uniform, spatial_axes, static_hw

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("bilinear", "nearest")


def check_resampling(who, fill_mode, interpolation, fill_value):
    """The fill_mode, interpolation and fill_value arguments Keras 3's affine layers take."""
    if fill_mode not in FILL_MODES:
        raise ValueError(f"{who}(fill_mode=...) must be one of {FILL_MODES}, got fill_mode={fill_mode!r}")
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{who}(interpolation=...) must be one of {INTERPOLATIONS}, "
                         f"got interpolation={interpolation!r}")
    if isinstance(fill_value, bool) or not isinstance(fill_value, numbers.Real):
        raise ValueError(f"{who}(fill_value=...) must be a number, got fill_value={fill_value!r}")
    return float(fill_value)


def check_range_factor(who, arg, factor, open_low=False):
    """Keras 3's height/width factor: a number f in [-1, 1] gives (-|f|, |f|); a pair of such
    numbers gives itself, sorted. With open_low (RandomZoom) -1 itself is refused."""
    if isinstance(factor, dict) and factor.get("class_name") == "__tuple__":  # a Keras 3 config
        factor = factor["config"]["value"]
    low = "(-1, 1]" if open_low else "[-1, 1]"
    message = (f"{who}({arg}=...) must be a number in {low} or a list of two such numbers, "
               f"got {arg}={factor!r}")

    def ok(f):
        return (isinstance(f, numbers.Real) and not isinstance(f, bool)
                and (-1 < f if open_low else -1 <= f) and f <= 1)

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(ok(f) for f in factor):
            raise ValueError(message)
        lower, upper = sorted(factor)
    elif ok(factor):
        lower, upper = -abs(factor), abs(factor)
    else:
        raise ValueError(message)
    return (lower, upper)


def draw(images, low, high, seed, k=0):
    """One uniform draw in [low, high) per image, shape (N, 1, 1) ((1, 1, 1) for one image);
    k-th draw of a layer: a seeded layer gives each of its draws its own seed."""
    seed = None if seed is None else int(seed) + k
    return ops.reshape(per_image_uniform(images, low, high, seed), (-1, 1, 1))


def column(params, k):
    """Column k of per-image parameters (N, P) as a (N, 1, 1) tensor."""
    params = ops.convert_to_tensor(params)
    return ops.reshape(ops.slice(params, [0, k], [None, 1]), (-1, 1, 1))


def affine_transform(who, images, coeffs, fill_mode, interpolation, fill_value, data_format):
    """Resample each image through its affine map `coeffs` (see the module docstring).
    images (N, H, W, C) or (H, W, C) (channels_last; or channels_first) -> the same shape."""
    rank = len(images.shape)
    x = images if rank == 4 else ops.expand_dims(images, 0)
    if data_format == "channels_last":
        x = ops.transpose(x, (0, 3, 1, 2))
    h, w = static_hw(who, x.shape, (2, 3))
    dtype = np.dtype(x.dtype)
    rows, cols = np.meshgrid(np.arange(h, dtype=dtype), np.arange(w, dtype=dtype), indexing="ij")
    rows, cols = rows[None], cols[None]  # (1, H, W)
    a0, a1, a2, b0, b1, b2 = (np.asarray(c, dtype) if isinstance(c, numbers.Real) else c for c in coeffs)
    px = ops.add(ops.add(ops.multiply(a0, cols), ops.multiply(a1, rows)), a2)  # (N, H, W)
    py = ops.add(ops.add(ops.multiply(b0, cols), ops.multiply(b1, rows)), b2)
    padding = {"constant": "zeros", "nearest": "border", "reflect": "reflection", "wrap": "border"}[fill_mode]
    if interpolation == "nearest":  # Keras rounds halves away from zero, GridSample to even: round here
        px, py = _round_half_away(px, dtype), _round_half_away(py, dtype)
    size_h, size_w = h, w
    if fill_mode == "wrap":
        px, py = _modulo(px, w, dtype), _modulo(py, h, dtype)
        x = ops.concatenate([x, ops.slice(x, [0, 0, 0, 0], [None, None, 1, None])], axis=2)
        x = ops.concatenate([x, ops.slice(x, [0, 0, 0, 0], [None, None, None, 1])], axis=3)
        size_h, size_w = h + 1, w + 1
    # Normalized for align_corners=0: -1 and 1 are the outer edges of the border pixels.
    gx = ops.add(ops.multiply(px, np.asarray(2.0 / size_w, dtype)), np.asarray(1.0 / size_w - 1.0, dtype))
    gy = ops.add(ops.multiply(py, np.asarray(2.0 / size_h, dtype)), np.asarray(1.0 / size_h - 1.0, dtype))
    grid = ops.stack([gx, gy], axis=-1)  # (N, H, W, 2)
    shift = fill_mode == "constant" and fill_value != 0
    if shift:
        x = ops.subtract(x, np.asarray(fill_value, dtype))
    out = ops.grid_sample(x, grid, mode="linear" if interpolation == "bilinear" else "nearest",
                          padding_mode=padding, align_corners=False)
    if shift:
        out = ops.add(out, np.asarray(fill_value, dtype))
    if data_format == "channels_last":
        out = ops.transpose(out, (0, 2, 3, 1))
    return out if rank == 4 else ops.squeeze(out, 0)


def _round_half_away(v, dtype):
    """v rounded to the nearest integer, halves away from zero."""
    return ops.multiply(ops.sign(v), ops.floor(ops.add(ops.abs(v), np.asarray(0.5, dtype))))


def _modulo(v, size, dtype):
    """v mod size, in [0, size)."""
    size = np.asarray(size, dtype)
    return ops.subtract(v, ops.multiply(ops.floor(ops.divide(v, size)), size))


class AffineAugmentation(Layer):
    """The base of RandomTranslation, RandomRotation and RandomZoom: the resampling settings,
    a call that is the identity outside training, and their config. A subclass draws its
    per-image parameters in `_random_transform(images, hw)` and resamples with `_resample`."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.fill_value = check_resampling(who, fill_mode, interpolation, fill_value)
        self.fill_mode, self.interpolation, self.seed = fill_mode, interpolation, seed
        self.data_format = check_data_format(who, data_format)

    def call(self, inputs, training=False):
        who = type(self).__name__
        axes = spatial_axes(who, inputs.shape, self.data_format)
        inputs = as_float(who, inputs, self.dtype)
        if not training:
            return inputs
        return self._random_transform(inputs, static_hw(who, inputs.shape, axes))

    def _image_hw(self, images):
        who = type(self).__name__
        return static_hw(who, images.shape, spatial_axes(who, images.shape, self.data_format))

    def _resample(self, images, coeffs):
        return affine_transform(type(self).__name__, images, coeffs, self.fill_mode, self.interpolation,
                                self.fill_value, self.data_format)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value, "data_format": self.data_format}
