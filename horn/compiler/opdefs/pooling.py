"""MaxPool and AveragePool (1-D, 2-D, 3-D), with their gradients in standard ONNX.

MaxPool's gradient goes to one input element per window, the first maximum in row-major
window order, also when a window holds ties (after a ReLU, windows of zeros are common): that is
what Keras on TensorFlow and JAX do. Measured on onnxruntime 1.31 CPU, 1 thread, forward and
backward together, median ms (benchmarks/maxpool_grad.py; every variant checked exact on tied
inputs first):

    case                                  Indices in fwd  recompute  blocks/slices  Col2Im
                                          + ScatterND     Indices    (best exact)   unfold
    (128,64,24,24) k2 s2 (mnist_cnn)          33.1          38.7         31.6         39.6
    (16,64,112,112) k2 s2                     85.5*        101.0         84.0          -
    (128,64,24,24) k3 s2 same (overlapping)   43.7          50.4         76.1         91.1
    (32,64,24,24) k3 s1 same                  33.4          35.0         36.1         55.6
    (forward MaxPool alone: 6.0, 12.3, 7.0, 2.4; * with ScatterElements, which was 1-3 % faster)

"Blocks/slices" are the exact forms that need no Indices (k == s only, or k*k strided slices):
the best of them (strided slices with a remaining-gradient first-hit chain; SpaceToDepth into
stride residues; Resize + a per-window priority MaxPool; Transpose + ArgMax + OneHot was 60 ms)
ties with the Indices route at k == s and loses when windows overlap. So the forward MaxPool
itself also emits its Indices (recomputing them in the backward pass costs a second pooling,
+15-20 %), and the output gradient goes to those flat indices: where windows overlap (and can
share a maximum) ScatterND(reduction='add') sums it into a zero vector; where they are disjoint
MaxUnpool places it (onnxruntime 1.32, 2 threads, mnist_cnn shape: pooling + gradient 12.3 ms
against 19.9 ms with ScatterND, the training step ~5 % faster), in float and float16, the types
onnxruntime's MaxUnpool has.

AveragePool's gradient spreads dY / count over each window: for windows that tile the input
(kernel == strides, no pads) one nearest-neighbour Resize (+0.6 ms on the mnist_cnn shape,
ConvTranspose +3 ms, Tile+DepthToSpace +12 ms, Expand +37 ms); otherwise a ConvTranspose with a
ones kernel per channel (group = C), as notes §2c verified.

A MaxPool node that names `storage_order` (the layout of its Indices) has the Indices output;
without it, it has only Y, and onnxruntime runs its plain (3-4x faster) kernel.
"""

from types import SimpleNamespace

import numpy as np

from ..ir import Value
from ..opdef import const_ints, defop, op
from .gather import zeros_like

_AUTO_PADS = ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")


def _ints(value, n, default, what, op_type):
    out = [default] * n if value is None else [int(a) for a in np.reshape(value, -1)]
    if len(out) != n:
        raise ValueError(f"{op_type} needs {n} {what}, got {out}")
    return out


def _geometry(op_type, shape, attrs):
    """Kernel, strides, dilations, begin/end pads and output sizes over the spatial axes."""
    shape = tuple(shape)
    if len(shape) < 3 or len(shape) > 5:
        raise ValueError(f"{op_type} needs an input (N, C, *spatial) with 1 to 3 spatial axes, "
                         f"got shape {shape}")
    r = len(shape) - 2
    if attrs.get("kernel_shape") is None:
        raise ValueError(f"{op_type} needs a kernel_shape")
    g = SimpleNamespace(rank=r, kernel=_ints(attrs["kernel_shape"], r, 1, "kernel sizes", op_type))
    g.strides = _ints(attrs.get("strides"), r, 1, "strides", op_type)
    g.dilations = _ints(attrs.get("dilations"), r, 1, "dilations", op_type)
    pads = _ints(attrs.get("pads"), 2 * r, 0, "pads (begins, then ends)", op_type)
    for name in ("kernel", "strides", "dilations"):
        if min(getattr(g, name)) < 1:
            raise ValueError(f"{op_type} needs positive {name}, got {getattr(g, name)}")
    if min(pads) < 0:
        raise ValueError(f"{op_type} needs non-negative pads, got {pads}")
    g.effective = [(k - 1) * d + 1 for k, d in zip(g.kernel, g.dilations)]
    g.ceil = bool(attrs.get("ceil_mode", 0))
    auto = attrs.get("auto_pad", "NOTSET")
    if auto not in _AUTO_PADS:
        raise ValueError(f"{op_type} auto_pad must be one of {_AUTO_PADS}, got {auto!r}")
    g.begin, g.end, g.out = [], [], []
    for i, n in enumerate(shape[2:]):
        b, e = pads[i], pads[r + i]
        s, eff = g.strides[i], g.effective[i]
        if auto != "NOTSET":
            if n is None:
                raise ValueError(f"{op_type} with auto_pad={auto} needs static spatial sizes, got {shape}")
            total = 0 if auto == "VALID" else max((-(-n // s) - 1) * s + eff - n, 0)
            b = total // 2 if auto == "SAME_UPPER" else total - total // 2
            e = total - b
        g.begin.append(b)
        g.end.append(e)
        g.out.append(None if n is None else _out_size(op_type, shape, i, n, b, e, s, eff, g.ceil))
    return g


def _out_size(op_type, shape, axis, n, b, e, s, eff, ceil):
    """onnxruntime's rule: floor (or ceil) of the window count; with ceil_mode a last window
    that would start in the end padding is dropped."""
    room = n + b + e - eff
    if room < 0:
        raise ValueError(f"{op_type}: the window (effective size {eff}) is larger than spatial axis "
                         f"{axis} of the padded input: size {n} + pads {b}, {e} (input shape {shape})")
    if not ceil:
        return room // s + 1
    out = -(-room // s) + 1
    return out - 1 if (out - 1) * s >= n + b else out


def _pool_rule(ins, attrs, op_type):
    x = ins[0]
    g = _geometry(op_type, x.shape, attrs)
    y = ((*x.shape[:2], *g.out), x.dtype)
    if op_type == "MaxPool" and attrs.get("storage_order") is not None:
        if attrs["storage_order"] != 0:
            raise NotImplementedError("horn's MaxPool Indices are row-major only (storage_order=0)")
        return [y, (y[0], np.dtype(np.int64))]
    return [y]


# -- numpy references ----------------------------------------------------------------------


def _padded(x, g, fill):
    """x padded with `fill` just far enough that every window of every output fits."""
    widths = [(0, 0), (0, 0)]
    for n, b, o, s, eff in zip(x.shape[2:], g.begin, g.out, g.strides, g.effective):
        widths.append((b, max((o - 1) * s + eff - n - b, 0)))
    return np.pad(x, widths, constant_values=fill)


def _tap(xp, g, tap):
    """The (N, C, *out) slab that kernel position `tap` reads for every output position."""
    index = tuple(slice(t * d, t * d + (o - 1) * s + 1, s)
                  for t, d, o, s in zip(tap, g.dilations, g.out, g.strides))
    return xp[(slice(None), slice(None)) + index]


def _tap_positions(x, g, tap):
    """Flat row-major indices into the whole unpadded x of the elements `tap` reads."""
    n, c, *spatial = x.shape
    flat = np.zeros(g.out, np.int64)
    for i, (t, d, o, s, b) in enumerate(zip(tap, g.dilations, g.out, g.strides, g.begin)):
        coord = np.arange(o) * s + t * d - b
        shape = [1] * g.rank
        shape[i] = o
        flat = flat + coord.reshape(shape) * int(np.prod(spatial[i + 1:], dtype=np.int64))
    base = np.arange(n * c, dtype=np.int64).reshape(n, c, *[1] * g.rank) * int(np.prod(spatial, dtype=np.int64))
    return base + flat


def _max_pool_ref(x, **attrs):
    g = _geometry("MaxPool", x.shape, attrs)
    low = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _padded(x, g, low)
    y = np.full(x.shape[:2] + tuple(g.out), low, x.dtype)
    indices = np.zeros(y.shape, np.int64)
    for tap in np.ndindex(*g.kernel):  # row-major: on ties the first maximum keeps its place
        v = _tap(xp, g, tap)
        better = v > y
        y = np.where(better, v, y)
        if attrs.get("storage_order") is not None:
            indices = np.where(better, _tap_positions(x, g, tap), indices)
    return (y, indices) if attrs.get("storage_order") is not None else y


def _counts(g, spatial, include_pad):
    """How many elements each window averages, (*out): with count_include_pad the window is
    clipped to the explicitly padded input (not the ceil_mode overhang), else to the input."""
    total = np.ones((), np.float64)
    for i, (n, b, e, o, s, d, k) in enumerate(zip(spatial, g.begin, g.end, g.out, g.strides,
                                                   g.dilations, g.kernel)):
        pos = np.arange(o)[:, None] * s + np.arange(k)[None, :] * d - b
        lo, hi = (-b, n + e) if include_pad else (0, n)
        count = ((pos >= lo) & (pos < hi)).sum(axis=1)
        shape = [1] * g.rank
        shape[i] = o
        total = total * count.reshape(shape)
    return total


def _average_pool_ref(x, **attrs):
    g = _geometry("AveragePool", x.shape, attrs)
    xp = _padded(x, g, 0)
    total = sum(_tap(xp, g, tap).astype(np.float64) for tap in np.ndindex(*g.kernel))
    return (total / _counts(g, x.shape[2:], attrs.get("count_include_pad", 0))).astype(x.dtype)


# -- gradients -----------------------------------------------------------------------------


def _indices(node):
    """The forward MaxPool's Indices output. A node without one gains it here, so that the
    training graph runs one pooling that also records where each maximum was (see above)."""
    if len(node.outputs) == 1:
        node.attrs["storage_order"] = 0
        shape, dtype = _pool_rule(node.inputs, node.attrs, "MaxPool")[1]
        node.outputs.append(Value(node.out.graph, shape, dtype, node, 1, f"{node.name}_o1"))
    return node.outputs[1]


def _unpoolable(g, spatial):
    """Windows that share no input element (so each element is the maximum of one window at
    most), and whose extent onnxruntime's MaxUnpool accepts: (out - 1) * stride + kernel - pads
    may not exceed the input (a ceil_mode window past the end would)."""
    return all(s >= eff for s, eff in zip(g.strides, g.effective)) and all(
        n is not None and (o - 1) * s + k - b - e <= n
        for n, o, s, k, b, e in zip(spatial, g.out, g.strides, g.kernel, g.begin, g.end))


def _max_pool_grad(n, grads):
    x, gy = n.inputs[0], grads[0]
    if gy is None:
        return [None]
    g = _geometry("MaxPool", x.shape, n.attrs)
    if x.dtype in UNPOOL_DTYPES and _unpoolable(g, x.shape[2:]):
        # No index repeats, so MaxUnpool's zeros-then-assign is the sum: 1.6x faster than the
        # ScatterND below for the whole pooling + gradient on the mnist_cnn shape.
        return [op.MaxUnpool(gy, _indices(n), op.Shape(x), kernel_shape=g.kernel, strides=g.strides,
                             pads=g.begin + g.end)]
    flat_x = op.Reshape(x, np.array([-1], np.int64))
    where = op.Reshape(_indices(n), np.array([-1, 1], np.int64))
    dx = op.ScatterND(zeros_like(flat_x), where, op.Reshape(gy, np.array([-1], np.int64)),
                      reduction="add")
    return [op.Reshape(dx, op.Shape(x))]


def _tiles(g, spatial):
    """Windows that tile the input: kernel == strides, no pads or dilation, no partial window."""
    return (g.kernel == g.strides and not any(g.begin + g.end) and set(g.dilations) == {1}
            and all(o * k <= n for o, k, n in zip(g.out, g.kernel, spatial)))


def _average_pool_grad(n, grads):
    x, gy = n.inputs[0], grads[0]
    spatial = x.shape[2:]
    if None in spatial or x.shape[1] is None:
        raise NotImplementedError(f"the gradient of AveragePool needs static channel and spatial sizes, "
                                  f"got input shape {x.shape}")
    g = _geometry("AveragePool", x.shape, n.attrs)
    counts = _counts(g, spatial, n.attrs.get("count_include_pad", 0))
    if _tiles(g, spatial):
        spread = op.Resize(op.Mul(gy, np.array(1.0 / counts.reshape(-1)[0], x.dtype)), None,
                           np.array([1.0, 1.0] + g.kernel, np.float32), mode="nearest",
                           coordinate_transformation_mode="asymmetric", nearest_mode="floor")
        rest = [d - o * k for d, o, k in zip(spatial, g.out, g.kernel)]
        if any(rest):  # the rows and columns no window read get zeros
            spread = op.Pad(spread, np.array([0] * (g.rank + 2) + [0, 0] + rest, np.int64))
        return [spread]
    scaled = op.Div(gy, counts.astype(x.dtype)) if counts.min() != counts.max() else \
        op.Mul(gy, np.array(1.0 / counts.reshape(-1)[0], x.dtype))
    # ConvTranspose output size: s (o - 1) + eff - b - e + output_padding, which must be n.
    end, extra = [], []
    for d, o, s, eff, b, e in zip(spatial, g.out, g.strides, g.effective, g.begin, g.end):
        over = s * (o - 1) + eff - b - e - d  # > 0 only for a ceil_mode window past the end
        end.append(e + max(over, 0))
        extra.append(max(-over, 0))
    c = x.shape[1]
    ones = np.ones((c, 1, *g.kernel), x.dtype)
    return [op.ConvTranspose(scaled, ones, group=c, strides=g.strides, pads=g.begin + end,
                             dilations=g.dilations, output_padding=extra)]


# -- MaxUnpool: Y = zeros(output_shape) with Y.flat[I] = X (X, I as MaxPool's Y, Indices) --------
# onnxruntime's CPU EP has float and float16 kernels only (no double).
UNPOOL_DTYPES = (np.dtype(np.float32), np.dtype(np.float16))


def _unpooled_shape(shape, attrs):
    """MaxUnpool's default output shape: each spatial size (in - 1) * stride + kernel - pads."""
    r = len(shape) - 2
    if attrs.get("kernel_shape") is None:
        raise ValueError("MaxUnpool needs a kernel_shape")
    k = _ints(attrs["kernel_shape"], r, 1, "kernel sizes", "MaxUnpool")
    s = _ints(attrs.get("strides"), r, 1, "strides", "MaxUnpool")
    pads = _ints(attrs.get("pads"), 2 * r, 0, "pads (begins, then ends)", "MaxUnpool")
    return tuple(shape[:2]) + tuple(None if d is None else (d - 1) * s[i] + k[i] - pads[i] - pads[r + i]
                                    for i, d in enumerate(shape[2:]))


def _max_unpool_rule(ins, attrs):
    x, indices, shape = (list(ins) + [None])[:3]
    if indices.dtype != np.int64:
        raise TypeError(f"MaxUnpool needs int64 indices (MaxPool's Indices), got {indices.dtype}")
    if len(x.shape) != len(indices.shape) or any(
            a is not None and b is not None and a != b for a, b in zip(x.shape, indices.shape)):
        raise ValueError(f"MaxUnpool needs indices shaped like its input {x.shape}, got {indices.shape}")
    if shape is None:
        return [(_unpooled_shape(x.shape, attrs), x.dtype)]
    dims = const_ints(shape, "the output_shape of MaxUnpool")
    return [(tuple(None if d < 0 else d for d in dims), x.dtype)]


def _max_unpool_ref(x, indices, output_shape=None, **attrs):
    shape = _unpooled_shape(x.shape, attrs) if output_shape is None else tuple(int(d) for d in output_shape)
    y = np.zeros(int(np.prod(shape)), x.dtype)
    y[indices.reshape(-1)] = x.reshape(-1)  # a repeated index keeps the last value, as onnxruntime
    return y.reshape(shape)


def _max_unpool_grad(n, grads):
    """Each input element receives the output gradient where it landed. (With a repeated index,
    which MaxPool's gradient never makes, the overwritten elements would truly get zero.)"""
    x, indices = n.inputs[0], n.inputs[1]
    flat = op.Gather(op.Reshape(grads[0], np.array([-1], np.int64)), op.Reshape(indices, np.array([-1], np.int64)))
    return [op.Reshape(flat, op.Shape(x))] + [None] * (len(n.inputs) - 1)


defop("MaxUnpool", _max_unpool_rule, _max_unpool_ref, _max_unpool_grad)
defop("MaxPool", lambda ins, at: _pool_rule(ins, at, "MaxPool"), _max_pool_ref, _max_pool_grad,
      defaults=dict(auto_pad="NOTSET", ceil_mode=0))
defop("AveragePool", lambda ins, at: _pool_rule(ins, at, "AveragePool"), _average_pool_ref,
      _average_pool_grad, defaults=dict(auto_pad="NOTSET", ceil_mode=0, count_include_pad=0))
