"""Resize (modes nearest and linear), with its gradient in standard ONNX.

Along each resized axis, Resize is a linear map: out = A @ in with a constant (out, in)
interpolation matrix A that depends only on the sizes, the mode and the coordinate transform.
The reference builds these matrices the way the ONNX spec defines them (linear interpolation
reads edge values past the borders, i.e. the source coordinate is clamped), and the gradient
applies their transposes: one MatMul per axis. When A just repeats each input element s times
(nearest-neighbour upsampling by an integer factor) on trailing axes, the gradient is the sum
over each block: AveragePool(dY) * s, which is one fast kernel.
"""

import numpy as np

from ..opdef import const_ints, defop, op

_TRANSFORMS = ("half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners", "tf_half_pixel_for_nn")
_NEAREST = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")
_PROBE = 7  # the size an axis of unknown size is checked at


def _plan(ins, attrs):
    """Per axis of the input: (input size, output size, scale used by the coordinate transform)."""
    x = ins[0]
    rank = x.ndim
    if attrs.get("mode") not in ("nearest", "linear"):
        raise NotImplementedError(f"horn's Resize supports modes 'nearest' and 'linear', got {attrs.get('mode')!r}")
    if attrs.get("coordinate_transformation_mode") not in _TRANSFORMS:
        raise NotImplementedError(f"horn's Resize supports coordinate_transformation_mode in {_TRANSFORMS}, "
                                  f"got {attrs.get('coordinate_transformation_mode')!r}")
    if attrs.get("nearest_mode") not in _NEAREST:
        raise ValueError(f"Resize nearest_mode must be one of {_NEAREST}, got {attrs.get('nearest_mode')!r}")
    for name in ("antialias", "exclude_outside"):
        if attrs.get(name):
            raise NotImplementedError(f"horn's Resize does not support {name}=1")
    if attrs.get("keep_aspect_ratio_policy", "stretch") != "stretch":
        raise NotImplementedError("horn's Resize supports keep_aspect_ratio_policy='stretch' only")
    axes = attrs.get("axes")
    axes = list(range(rank)) if axes is None else [int(a) % rank for a in axes]
    scales = ins[2] if len(ins) > 2 else None
    sizes = ins[3] if len(ins) > 3 else None
    if scales is not None and scales.const is not None and scales.const.size == 0:
        scales = None  # an empty scales tensor means "use sizes"
    if (scales is None) == (sizes is None):
        raise ValueError("Resize needs exactly one of scales and sizes")
    plan = [(d, d, 1.0) for d in x.shape]
    if scales is not None:
        if scales.const is None:
            raise ValueError("Resize needs scales known while tracing")
        values = [float(s) for s in np.asarray(scales.const, np.float32).reshape(-1)]
        if len(values) != len(axes) or min(values) <= 0:
            raise ValueError(f"Resize needs one positive scale per axis {axes}, got {values}")
        for a, s in zip(axes, values):
            d = x.shape[a]  # an axis of unknown size keeps an unknown size
            plan[a] = (d, None if d is None else int(np.floor(d * np.float32(s))), s)
    else:
        values = const_ints(sizes, "the sizes of Resize")
        if len(values) != len(axes) or min(values) < 1:
            raise ValueError(f"Resize needs one positive size per axis {axes}, got {values}")
        for a, n in zip(axes, values):
            d = x.shape[a]
            if d is None:
                raise ValueError(f"Resize cannot resize axis {a} of unknown size to {n} (input shape {x.shape})")
            plan[a] = (d, n, n / d)
    for a, (_, out, _) in enumerate(plan):
        if out is not None and out < 1:
            raise ValueError(f"Resize would make axis {a} of shape {x.shape} empty")
    return plan


def _resize_rule(ins, attrs):
    return [(tuple(out for _, out, _ in _plan(ins, attrs)), ins[0].dtype)]


def interpolation_matrix(n_in, n_out, scale, mode, transform, nearest_mode="floor"):
    """The (n_out, n_in) matrix of one axis: out = A @ in (ONNX Resize semantics)."""
    o = np.arange(n_out, dtype=np.float64)
    scale = float(np.float32(scale))
    if transform in ("half_pixel", "pytorch_half_pixel"):
        x = (o + 0.5) / scale - 0.5
        if transform == "pytorch_half_pixel" and n_out == 1:
            x = np.zeros(1)
    elif transform == "asymmetric":
        x = o / scale
    elif transform == "tf_half_pixel_for_nn":
        x = (o + 0.5) / scale
    else:  # align_corners
        x = o * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(n_out)
    a = np.zeros((n_out, n_in))
    if mode == "nearest":
        frac = x - np.floor(x)
        pick = {"floor": np.floor(x), "ceil": np.ceil(x),
                "round_prefer_floor": np.where(frac == 0.5, np.floor(x), np.round(x)),
                "round_prefer_ceil": np.where(frac == 0.5, np.ceil(x), np.round(x))}[nearest_mode]
        a[np.arange(n_out), np.clip(pick, 0, n_in - 1).astype(np.int64)] = 1.0
        return a
    x = np.clip(x, 0, n_in - 1)  # past the borders, linear interpolation reads the edge values
    lo = np.floor(x).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    w = x - lo
    np.add.at(a, (np.arange(n_out), lo), 1.0 - w)
    np.add.at(a, (np.arange(n_out), hi), w)
    return a


def _matrices(ins, attrs, shape):
    """{axis: A} for the axes whose size or values change (shape: the concrete input shape)."""
    out = {}
    for a, (_, n_out, scale) in enumerate(_plan(ins, attrs)):
        n_in = shape[a]
        n_out = int(np.floor(n_in * np.float32(scale))) if n_out is None else n_out
        m = interpolation_matrix(n_in, n_out, scale, attrs["mode"], attrs["coordinate_transformation_mode"],
                                 attrs["nearest_mode"])
        if n_in != n_out or not np.array_equal(m, np.eye(n_in)):
            out[a] = m
    return out


class _Const:
    def __init__(self, array):
        self.const = None if array is None else np.asarray(array)
        self.hint = None


class _Shape:
    def __init__(self, shape):
        self.shape, self.ndim = tuple(shape), len(shape)


def _resize_ref(x, roi=None, scales=None, sizes=None, **attrs):
    ins = [_Shape(x.shape), None, None if scales is None else _Const(scales),
           None if sizes is None else _Const(sizes)]
    y = x.astype(np.float64) if x.dtype.kind == "f" else x
    for a, m in _matrices(ins, attrs, x.shape).items():
        y = np.moveaxis(np.tensordot(m, y, axes=([1], [a])), 0, a)
    return y.astype(x.dtype)


def _repeats(m):
    """s when A repeats each input element s times in order (nearest upsampling), else None."""
    n_out, n_in = m.shape
    s = n_out // n_in
    if s * n_in == n_out and np.array_equal(m, np.kron(np.eye(n_in), np.ones((s, 1)))):
        return s
    return None


def _resize_grad(n, grads):
    x, gy = n.inputs[0], grads[0]
    rest = [None] * (len(n.inputs) - 1)
    # An axis of unknown size gets a stand-in size: the gradient along it must not depend on it.
    unknown = [a for a, d in enumerate(x.shape) if d is None]
    mats = _matrices(n.inputs, n.attrs, [_PROBE if d is None else d for d in x.shape])
    if not mats:
        return [gy] + rest
    reps = {a: _repeats(m) for a, m in mats.items()}
    if x.ndim >= 3 and min(mats) >= 2 and None not in reps.values():
        kernel = [reps.get(a, 1) for a in range(2, x.ndim)]
        pooled = op.AveragePool(gy, kernel_shape=kernel, strides=kernel)
        return [op.Mul(pooled, np.array(float(np.prod(kernel)), x.dtype))] + rest
    if any(a in mats for a in unknown):
        raise NotImplementedError(f"the gradient of Resize along an axis of unknown size (input {x.shape}) "
                                  f"needs nearest-neighbour upsampling by integer factors of the trailing axes")
    for a, m in mats.items():
        gy = _apply_transpose(gy, m.astype(x.dtype), a)
    return [gy] + rest


def _apply_transpose(g, m, axis):
    """sum_o m[o, i] g[..., o, ...] along `axis`: one MatMul (with Transposes for inner axes)."""
    rank = g.ndim
    if axis == rank - 1:
        return op.MatMul(g, m)
    if axis == rank - 2:
        return op.MatMul(np.ascontiguousarray(m.T), g)
    perm = [i for i in range(rank) if i != axis] + [axis]
    moved = op.MatMul(op.Transpose(g, perm=perm), m)
    return op.Transpose(moved, perm=[int(i) for i in np.argsort(perm)])


defop("Resize", _resize_rule, _resize_ref, _resize_grad,
      defaults=dict(mode="nearest", coordinate_transformation_mode="half_pixel",
                    nearest_mode="round_prefer_floor"))
