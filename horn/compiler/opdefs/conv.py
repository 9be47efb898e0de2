"""Conv and ConvTranspose (1-D, 2-D, 3-D), with their gradients in standard ONNX.

Conv's input gradient is a ConvTranspose with the same weight; its weight gradient is one
Conv over regrouped tensors with strides and dilations swapped (notes §2a), or, for 2-D
ungrouped convs, explicit im2col (one Conv with a one-hot kernel) and one batched MatMul.
ConvTranspose mirrors it: its input gradient is a Conv with the same weight, its weight gradient
a Conv with the roles of input and output gradient exchanged.
"""

from types import SimpleNamespace

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..opdef import defop, op


def _ints(value, n, default, what, op_type):
    out = [default] * n if value is None else [int(a) for a in np.reshape(value, -1)]
    if len(out) != n:
        raise ValueError(f"{op_type} needs {n} {what}, got {out}")
    return out


def _geometry(op_type, x_shape, w_shape, attrs):
    """Strides, dilations, kernel, begin/end pads, group and output padding, all checked."""
    x_shape, w_shape = tuple(x_shape), tuple(w_shape)
    if len(x_shape) < 3 or len(w_shape) != len(x_shape):
        raise ValueError(f"{op_type} needs an input (N, C, *spatial) with 1 to 3 spatial axes and a "
                         f"weight of the same rank, got shapes {x_shape} and {w_shape}")
    r = len(x_shape) - 2
    g = SimpleNamespace(rank=r, kernel=list(w_shape[2:]), group=int(attrs.get("group") or 1))
    g.strides = _ints(attrs.get("strides"), r, 1, "strides", op_type)
    g.dilations = _ints(attrs.get("dilations"), r, 1, "dilations", op_type)
    pads = _ints(attrs.get("pads"), 2 * r, 0, "pads (begins, then ends)", op_type)
    g.begin, g.end = pads[:r], pads[r:]
    g.output_padding = _ints(attrs.get("output_padding"), r, 0, "output_padding", op_type)
    if None in g.kernel:
        raise ValueError(f"{op_type} needs a weight with static spatial sizes, got {w_shape}")
    if attrs.get("kernel_shape") is not None and list(attrs["kernel_shape"]) != g.kernel:
        raise ValueError(f"{op_type}: kernel_shape {list(attrs['kernel_shape'])} does not match the "
                         f"weight's spatial shape {g.kernel}")
    for name in ("strides", "dilations"):
        if min(getattr(g, name)) < 1:
            raise ValueError(f"{op_type} needs positive {name}, got {getattr(g, name)}")
    if min(g.kernel) < 1 or g.group < 1:
        raise ValueError(f"{op_type} needs a non-empty kernel and group >= 1, got weight {w_shape}, "
                         f"group {g.group}")
    if min(pads) < 0 or min(g.output_padding) < 0:
        raise ValueError(f"{op_type} needs non-negative pads and output_padding, got pads {pads}, "
                         f"output_padding {g.output_padding}")
    if any(p >= s for p, s in zip(g.output_padding, g.strides)):
        # onnxruntime rejects these at run time; ONNX's spec leaves them ill-defined.
        raise ValueError(f"{op_type} needs output_padding smaller than the strides, got output_padding "
                         f"{g.output_padding} with strides {g.strides}")
    c, grp = x_shape[1], g.group
    if op_type == "Conv":
        if w_shape[0] is not None and w_shape[0] % grp:
            raise ValueError(f"Conv: {w_shape[0]} output channels (weight {w_shape}) are not "
                             f"divisible by group={grp}")
        if c is not None and w_shape[1] is not None and c != w_shape[1] * grp:
            raise ValueError(f"Conv: the input has {c} channels (shape {x_shape}), but the weight "
                             f"{w_shape} with group={grp} expects {w_shape[1] * grp}")
    else:
        if c is not None and w_shape[0] is not None and c != w_shape[0]:
            raise ValueError(f"ConvTranspose: the input has {c} channels (shape {x_shape}), but the "
                             f"weight {w_shape} expects {w_shape[0]}")
        if c is not None and c % grp:
            raise ValueError(f"ConvTranspose: {c} input channels are not divisible by group={grp}")
    g.effective = [(k - 1) * d + 1 for k, d in zip(g.kernel, g.dilations)]
    _auto_pad(op_type, g, x_shape[2:], attrs.get("auto_pad") or "NOTSET")
    return g


def _auto_pad(op_type, g, sizes, auto_pad):
    """Resolve Conv's auto_pad into explicit pads (ConvTranspose takes explicit pads only)."""
    if auto_pad == "NOTSET":
        return
    if op_type != "Conv" or auto_pad not in ("VALID", "SAME_UPPER", "SAME_LOWER"):
        raise NotImplementedError(f"horn's {op_type} takes explicit pads, not auto_pad={auto_pad!r}")
    for i, (n, s, e) in enumerate(zip(sizes, g.strides, g.effective)):
        if auto_pad == "VALID":
            g.begin[i] = g.end[i] = 0
            continue
        if n is None:
            raise NotImplementedError(f"Conv auto_pad={auto_pad} over a spatial axis of unknown size")
        total = max((-(-n // s) - 1) * s + e - n, 0)
        small, big = total // 2, total - total // 2
        g.begin[i], g.end[i] = (small, big) if auto_pad == "SAME_UPPER" else (big, small)


def _conv_sizes(g, sizes, x_shape, w_shape):
    out = []
    for i, (n, s, e, b, f) in enumerate(zip(sizes, g.strides, g.effective, g.begin, g.end)):
        if n is None:
            out.append(None)
            continue
        if n + b + f < e:
            raise ValueError(
                f"Conv: along spatial axis {i} the kernel spans {e} positions (size {g.kernel[i]}, "
                f"dilation {g.dilations[i]}), more than the padded input's {n + b + f} (size {n}, "
                f"pads {b}+{f}); input shape {tuple(x_shape)}, weight shape {tuple(w_shape)}")
        out.append((n + b + f - e) // s + 1)
    return out


def _transpose_sizes(g, sizes, x_shape, w_shape):
    out = []
    for i, (n, s, e, b, f, p) in enumerate(zip(sizes, g.strides, g.effective, g.begin, g.end,
                                               g.output_padding)):
        size = None if n is None else s * (n - 1) + p + e - b - f
        if size is not None and size < 1:
            raise ValueError(f"ConvTranspose: the output size along spatial axis {i} would be {size} "
                             f"(input size {n}, kernel {g.kernel[i]}, stride {s}, pads {b}+{f}); "
                             f"input shape {tuple(x_shape)}, weight shape {tuple(w_shape)}")
        out.append(size)
    return out


def _check_bias(op_type, b, channels):
    if b is not None and (len(b.shape) != 1 or None not in (b.shape[0], channels)
                          and b.shape[0] != channels):
        raise ValueError(f"{op_type} needs a bias of shape ({channels},), got {b.shape}")


def _conv_rule(ins, attrs):
    x, w = ins[0], ins[1]
    g = _geometry("Conv", x.shape, w.shape, attrs)
    _check_bias("Conv", ins[2] if len(ins) > 2 else None, w.shape[0])
    sizes = _conv_sizes(g, x.shape[2:], x.shape, w.shape)
    return [((x.shape[0], w.shape[0], *sizes), x.dtype)]


def _conv_transpose_rule(ins, attrs):
    x, w = ins[0], ins[1]
    if attrs.get("output_shape") is not None:
        raise NotImplementedError("horn's ConvTranspose takes pads and output_padding, not output_shape")
    g = _geometry("ConvTranspose", x.shape, w.shape, attrs)
    out_c = None if w.shape[1] is None else w.shape[1] * g.group
    _check_bias("ConvTranspose", ins[2] if len(ins) > 2 else None, out_c)
    sizes = _transpose_sizes(g, x.shape[2:], x.shape, w.shape)
    return [((x.shape[0], out_c, *sizes), x.dtype)]


# -- numpy references ----------------------------------------------------------------------


def _conv_ref(x, w, b=None, **attrs):
    """im2col over a strided window view, then one batched matmul per group."""
    g = _geometry("Conv", x.shape, w.shape, attrs)
    out = _conv_sizes(g, x.shape[2:], x.shape, w.shape)
    r, (n, c), grp = g.rank, x.shape[:2], g.group
    xp = np.pad(x, [(0, 0), (0, 0)] + list(zip(g.begin, g.end)))
    axes = tuple(range(2, 2 + r))
    win = sliding_window_view(xp, g.effective, axis=axes)
    win = win[(slice(None),) * 2 + tuple(slice(None, None, s) for s in g.strides)
              + tuple(slice(None, None, d) for d in g.dilations)]
    win = win[(slice(None),) * 2 + tuple(slice(0, o) for o in out)]
    cg, o = c // grp, w.shape[0]
    positions, taps = int(np.prod(out)), int(np.prod(g.kernel))
    cols = win.reshape(n, grp, cg, positions, taps).transpose(0, 1, 3, 2, 4)
    cols = cols.reshape(n, grp, positions, cg * taps)
    wm = w.reshape(grp, o // grp, cg * taps).transpose(0, 2, 1)
    y = np.matmul(cols, wm).transpose(0, 1, 3, 2).reshape(n, o, *out)
    if b is not None:
        y = y + b.reshape((o,) + (1,) * r)
    return y.astype(x.dtype)


def _conv_transpose_ref(x, w, b=None, output_shape=None, **attrs):
    """Each kernel tap scatters a (strided) copy of x @ w[tap] into the full output, then crop."""
    if output_shape is not None:
        raise NotImplementedError("horn's ConvTranspose takes pads and output_padding, not output_shape")
    g = _geometry("ConvTranspose", x.shape, w.shape, attrs)
    out = _transpose_sizes(g, x.shape[2:], x.shape, w.shape)
    r, (n, c), grp = g.rank, x.shape[:2], g.group
    sizes = x.shape[2:]
    cg, og = c // grp, w.shape[1]
    full = [s * (i - 1) + e + p for s, i, e, p in zip(g.strides, sizes, g.effective, g.output_padding)]
    y = np.zeros((n, grp, og, *full), np.result_type(x, w))
    positions = int(np.prod(sizes))
    xm = x.reshape(n, grp, cg, positions).transpose(0, 1, 3, 2)  # (n, grp, P, cg)
    wm = w.reshape(grp, cg, og * int(np.prod(g.kernel)))
    cols = np.matmul(xm, wm).reshape(n, grp, *sizes, og, *g.kernel)  # (n, grp, *sizes, og, *k)
    cols = np.moveaxis(cols, 2 + r, 2)  # (n, grp, og, *sizes, *k)
    for tap in np.ndindex(*g.kernel):
        where = tuple(slice(t * d, t * d + s * (i - 1) + 1, s)
                      for t, d, s, i in zip(tap, g.dilations, g.strides, sizes))
        y[(slice(None),) * 3 + where] += cols[(Ellipsis,) + tap]
    y = y.reshape(n, grp * og, *full)
    y = y[(slice(None),) * 2 + tuple(slice(b_, b_ + o) for b_, o in zip(g.begin, out))]
    if b is not None:
        y = y + b.reshape((grp * og,) + (1,) * r)
    return np.ascontiguousarray(y).astype(x.dtype)


# -- gradients -----------------------------------------------------------------------------


def _static(v, what):
    if None in v.shape[2:]:
        raise NotImplementedError(f"the gradient of {what} over spatial axes of unknown size {v.shape}")
    return list(v.shape[2:])


def _swap01(v):
    return op.Transpose(v, perm=[1, 0] + list(range(2, v.ndim)))


def _regroup(v, grp):
    """(N, grp*C, *s) -> (C, grp*N, *s): batch and per-group channels exchange places."""
    if grp == 1:
        return _swap01(v)
    spatial = list(v.shape[2:])
    c = v.shape[1] // grp
    v = op.Reshape(v, np.array([0, grp, c, *spatial], np.int64))
    v = op.Transpose(v, perm=[2, 1, 0] + list(range(3, v.ndim)))
    return op.Reshape(v, np.array([c, -1, *spatial], np.int64))


def _crop(v, sizes):
    """Keep the first `sizes` positions of v's spatial axes (a no-op where they already fit)."""
    have = list(v.shape[2:])
    if have == list(sizes):
        return v
    axes = list(range(2, v.ndim))
    return op.Slice(v, np.zeros(len(axes), np.int64), np.array(sizes, np.int64),
                    np.array(axes, np.int64))


def _with_bias(n, dx, dw, gy):
    """[dX, dW] plus dB (the output gradient summed over all but the channel axis) if B is given."""
    if len(n.inputs) < 3:
        return [dx, dw]
    if n.inputs[2] is None:
        return [dx, dw, None]
    return [dx, dw, op.ReduceSum(gy, np.array([0] + list(range(2, gy.ndim)), np.int64), keepdims=0)]


def _conv_grad(n, grads):
    x, w = n.inputs[:2]
    gy = grads[0]
    g = _geometry("Conv", x.shape, w.shape, n.attrs)
    sizes, out = _static(x, "Conv"), _static(n.out, "Conv")
    pads = g.begin + g.end
    # dX: the output padding recovers the sizes that a stride > 1 rounded away.
    extra = [i - (s * (o - 1) + e - b - f)
             for i, s, o, e, b, f in zip(sizes, g.strides, out, g.effective, g.begin, g.end)]
    dx = op.ConvTranspose(gy, w, strides=g.strides, pads=pads, dilations=g.dilations,
                          group=g.group, output_padding=extra)
    if g.rank == 2 and g.group == 1 and int(np.prod(g.kernel)) <= _IM2COL_MAX_TAPS:
        dw = _conv_dw_im2col(x, w, gy, g, sizes, out)
    else:
        dw = _conv_dw_conv(x, gy, g, sizes, out)
    return _with_bias(n, dx, dw, gy)


# The im2col weight gradient builds a column matrix of taps times the input's size. Kernels
# larger than 5x5 keep the Conv to bound that buffer (a guess: only 3x3 has been timed).
_IM2COL_MAX_TAPS = 25


def _conv_dw_conv(x, gy, g, sizes, out):
    """dW[o, c, k] = sum_{n, p} gy[n, o, p] x_pad[n, c, p*s + k*d]: a Conv of the regrouped input
    with gy as its weight, strides and dilations swapped. Trim the end pad to what it reads."""
    ends = [max(0, min(f, (e - 1) + s * (o - 1) + 1 - i - b))
            for f, e, s, o, i, b in zip(g.end, g.effective, g.strides, out, sizes, g.begin)]
    dw = op.Conv(_regroup(x, g.group), _swap01(gy), strides=g.dilations, dilations=g.strides,
                 pads=g.begin + ends, group=g.group)
    return _swap01(_crop(dw, g.kernel))


def _im2col(x, kernel, strides, pads, dilations):
    """(N, C, *s) -> (N, C*taps, L): column c*taps + t holds x_pad[n, c, p*s + t*d] for each of
    the L output positions p. ONE op makes them: a Conv with a constant one-hot kernel, one
    output channel per (input channel, kernel tap), group = C."""
    c, taps = x.shape[1], int(np.prod(kernel))
    if c is None:
        raise NotImplementedError(f"im2col needs a static channel count, got shape {x.shape}")
    onehot = np.zeros((c * taps, 1, *kernel), x.dtype)
    onehot.reshape(c, taps, taps)[:, np.arange(taps), np.arange(taps)] = 1
    cols = op.Conv(x, onehot, strides=strides, pads=pads, dilations=dilations, group=c)
    return op.Reshape(cols, np.array([0, c * taps, -1], np.int64))


def _conv_dw_im2col(x, w, gy, g, sizes, out):
    """The same dW for group 1, as im2col and one batched MatMul: dW[o, c*taps + t] =
    sum_{n, p} gy[n, o, p] cols[n, c*taps + t, p], the columns already in W's (C, *kernel)
    order; one MatMul against the transposed columns (onnxruntime folds the Transpose into its
    FusedMatMul) and a ReduceSum over the batch.

    benchmarks/conv_weight_grad.py, mnist_cnn's Conv2 (x (128, 32, 26, 26), w (64, 32, 3, 3),
    s1 p0), interleaved best ms, 2 threads: strided Slices + Concat + Gemm 68-71, this 43-48
    (1 thread: 65, 57). The Slices wrote the columns and the Concat copied them again (85 MB
    each), with Transposes of x and dY to channel-major on top, all single-threaded.
    """
    o, c = w.shape[0], w.shape[1]
    cols = _im2col(x, g.kernel, g.strides, g.begin + g.end, g.dilations)  # (N, C*taps, L)
    gy3 = op.Reshape(gy, np.array([0, o, -1], np.int64))  # (N, O, L)
    dw = op.MatMul(gy3, op.Transpose(cols, perm=[0, 2, 1]))  # (N, O, C*taps)
    dw = op.ReduceSum(dw, np.array([0], np.int64), keepdims=0)
    return op.Reshape(dw, np.array([o, c, *g.kernel], np.int64))


def _conv_transpose_grad(n, grads):
    x, w = n.inputs[:2]
    gy = grads[0]
    g = _geometry("ConvTranspose", x.shape, w.shape, n.attrs)
    _static(x, "ConvTranspose")
    # dX: the Conv that ConvTranspose is the adjoint of (output_padding < stride, so it gives
    # back exactly the input's sizes).
    dx = op.Conv(gy, w, strides=g.strides, pads=g.begin + g.end, dilations=g.dilations,
                 group=g.group)
    # dW[c, o, k] = sum_{n, i} x[n, c, i] gy_pad[n, o, i*s + k*d]: a Conv of the regrouped
    # output gradient with x as its weight, strides and dilations swapped.
    ends = [max(0, f - p) for f, p in zip(g.end, g.output_padding)]
    dw = op.Conv(_regroup(gy, g.group), _swap01(x), strides=g.dilations, dilations=g.strides,
                 pads=g.begin + ends, group=g.group)
    dw = _swap01(_crop(dw, g.kernel))
    return _with_bias(n, dx, dw, gy)


defop("Conv", _conv_rule, _conv_ref, _conv_grad, defaults=dict(group=1, auto_pad="NOTSET"))
defop("ConvTranspose", _conv_transpose_rule, _conv_transpose_ref, _conv_transpose_grad,
      defaults=dict(group=1, auto_pad="NOTSET"))
