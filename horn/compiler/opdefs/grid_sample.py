"""GridSample (opset 20, 2-D): samples X (N, C, H, W) at the points of grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo).

grid[..., 0] is the x (width) coordinate and grid[..., 1] the y (height) coordinate, both
normalized to [-1, 1]: with align_corners=0, -1 and 1 are the outer edges of the border pixels
(pixel x = ((g + 1) * W - 1) / 2); with align_corners=1 they are the border pixels' centres
(pixel x = (g + 1) * (W - 1) / 2). Modes 'linear' (bilinear) and 'nearest' (round half to even,
as onnxruntime's nearbyint); padding 'zeros' (pixels outside read 0), 'border' (the coordinate is
clamped to the image, then indices too) and 'reflection' (the coordinate is reflected about the
edges -0.5 and W - 0.5, or 0 and W - 1 with align_corners, and so are the indices it reads).
Forward only: asking for its gradient (a trained weight before it) raises a clear error rather than
stopping the gradient in silence.
"""

import numpy as np

from ..opdef import defop

_MODES = ("linear", "nearest")
_PADDING = ("zeros", "border", "reflection")


def _check(attrs):
    if attrs.get("mode") not in _MODES:
        raise NotImplementedError(f"horn's GridSample supports modes {_MODES}, got mode={attrs.get('mode')!r}")
    if attrs.get("padding_mode") not in _PADDING:
        raise ValueError(f"GridSample padding_mode must be one of {_PADDING}, got {attrs.get('padding_mode')!r}")
    if attrs.get("align_corners") not in (0, 1):
        raise ValueError(f"GridSample align_corners must be 0 or 1, got {attrs.get('align_corners')!r}")


def _grid_sample_rule(ins, attrs):
    _check(attrs)
    x, grid = ins[0], ins[1]
    if x.ndim != 4 or grid.ndim != 4 or grid.shape[3] not in (2, None):
        raise NotImplementedError(f"horn's GridSample takes X (N, C, H, W) and grid (N, Ho, Wo, 2), "
                                  f"got X {x.shape} and grid {grid.shape}")
    if x.dtype.kind != "f" or grid.dtype != x.dtype:
        raise TypeError(f"GridSample needs float X and a grid of the same dtype, got {x.dtype} and {grid.dtype}")
    n = x.shape[0] if x.shape[0] is not None else grid.shape[0]
    return [((n, x.shape[1], grid.shape[1], grid.shape[2]), x.dtype)]


def _reflect(v, lo, hi):
    """Reflect v into [lo, hi] (repeatedly, about both ends), as onnxruntime's kernel does."""
    span = hi - lo
    if span <= 0:
        return np.full_like(v, lo)
    below, above = v < lo, v > hi
    d = np.where(below, lo - v, np.where(above, v - hi, 0.0))
    n = np.floor(d / span)
    r = d - n * span
    odd = (n % 2) == 1
    from_lo = np.where(odd, hi - r, lo + r)
    from_hi = np.where(odd, lo + r, hi - r)
    return np.where(below, from_lo, np.where(above, from_hi, v))


def _grid_sample_ref(x, grid, align_corners=0, mode="linear", padding_mode="zeros"):
    _check(dict(align_corners=align_corners, mode=mode, padding_mode=padding_mode))
    n, c, h, w = x.shape
    xf = x.astype(np.float64)
    g = grid.astype(np.float64)

    def unnormalize(v, size):
        return (v + 1) * (size - 1) / 2 if align_corners else ((v + 1) * size - 1) / 2

    def edges(size):
        return (0.0, size - 1.0) if align_corners else (-0.5, size - 0.5)

    px, py = unnormalize(g[..., 0], w), unnormalize(g[..., 1], h)  # (N, Ho, Wo)
    if padding_mode == "border":
        px, py = np.clip(px, 0, w - 1), np.clip(py, 0, h - 1)
    elif padding_mode == "reflection":
        px, py = _reflect(px, *edges(w)), _reflect(py, *edges(h))

    batch = np.arange(n)[:, None, None]

    def fetch(ix, iy):
        """X at integer indices (N, Ho, Wo) -> (N, Ho, Wo, C), padded as padding_mode says."""
        valid = (ix >= 0) & (ix <= w - 1) & (iy >= 0) & (iy <= h - 1)
        if padding_mode == "border":
            ix, iy = np.clip(ix, 0, w - 1), np.clip(iy, 0, h - 1)
        elif padding_mode == "reflection":
            ix, iy = _reflect(ix, *edges(w)), _reflect(iy, *edges(h))
        ii = np.clip(ix, 0, w - 1).astype(np.int64)
        jj = np.clip(iy, 0, h - 1).astype(np.int64)
        vals = xf.transpose(0, 2, 3, 1)[batch, jj, ii]
        return np.where(valid[..., None], vals, 0.0) if padding_mode == "zeros" else vals

    if mode == "nearest":
        out = fetch(np.rint(px), np.rint(py))
    else:
        x0, y0 = np.floor(px), np.floor(py)
        wx, wy = (px - x0)[..., None], (py - y0)[..., None]
        out = (fetch(x0, y0) * (1 - wx) * (1 - wy) + fetch(x0 + 1, y0) * wx * (1 - wy)
               + fetch(x0, y0 + 1) * (1 - wx) * wy + fetch(x0 + 1, y0 + 1) * wx * wy)
    return out.transpose(0, 3, 1, 2).astype(x.dtype)


def _no_gradient(node, grads):
    """Reached only when a trained weight lies before the GridSample: say so rather than let its
    gradient stop here in silence."""
    raise NotImplementedError("horn's GridSample has no gradient, so the layers that resample images with it "
                              "(RandomRotation, RandomZoom, RandomTranslation) must come before any layer with "
                              "trainable weights (as data augmentation at the model's input does)")


defop("GridSample", _grid_sample_rule, _grid_sample_ref, _no_gradient,
      defaults=dict(align_corners=0, mode="linear", padding_mode="zeros"))
