"""ReduceSum/Mean/Max/Min (axes as an input, opset 18+) and ArgMax/ArgMin."""

import numpy as np

from ..opdef import const_ints, defop, nograd, norm_axes, op
from .elementwise import NUMPY_TO_ONNX


def _reduced_axes(ins, attrs):
    axes = const_ints(ins[1] if len(ins) > 1 else None, "the axes of a reduction")
    rank = ins[0].ndim
    if not axes:
        return [] if attrs.get("noop_with_empty_axes") else list(range(rank))
    return norm_axes(axes, rank)


def _reduce_rule(ins, attrs):
    axes = _reduced_axes(ins, attrs)
    keep = attrs["keepdims"]
    shape = [1 if i in axes else d for i, d in enumerate(ins[0].shape) if keep or i not in axes]
    return [(tuple(shape), ins[0].dtype)]


def _reduce_ref(fn):
    def ref(x, axes=None, keepdims=1, noop_with_empty_axes=0):
        if axes is None or len(axes) == 0:
            if noop_with_empty_axes:
                return x.copy()
            axes = range(x.ndim)
        return np.asarray(fn(x, axis=tuple(int(a) for a in np.reshape(axes, -1)),
                             keepdims=bool(keepdims))).astype(x.dtype)
    return ref


def _spread(n, g):
    """The output gradient, with reduced axes restored and expanded to the input's shape."""
    x = n.inputs[0]
    axes = _reduced_axes(n.inputs, n.attrs)
    if not n.attrs["keepdims"] and axes:
        g = op.Unsqueeze(g, np.array(axes, np.int64))
    if None in x.shape:
        # Broadcast against zeros shaped like x: onnxruntime infers this shape (it cannot
        # through Expand(g, Shape(x)), and unknown shapes slow its session setup a lot).
        zeros = op.Where(op.Greater(x, np.array(np.inf, x.dtype)), np.zeros((), x.dtype), np.zeros((), x.dtype))
        return op.Add(g, zeros), axes
    return op.Expand(g, op.Shape(x)), axes


def _count(x, y, axes):
    """How many elements each reduction averaged, static where the dims are known."""
    dims = [x.shape[a] for a in axes]
    if None not in dims:
        return float(np.prod(dims))
    to = NUMPY_TO_ONNX[x.dtype]
    return op.Div(op.Cast(op.Size(x), to=to), op.Cast(op.Size(y), to=to))


def _sum_grad(n, g):
    return [_spread(n, g[0])[0]] + [None] * (len(n.inputs) - 1)


def _mean_grad(n, g):
    spread, axes = _spread(n, g[0])
    return [op.Div(spread, _count(n.inputs[0], n.out, axes))] + [None] * (len(n.inputs) - 1)


def _extreme_grad(n, g):
    """The gradient is shared equally by the elements that attained the max (or min)."""
    x = n.inputs[0]
    axes = _reduced_axes(n.inputs, n.attrs)
    y = n.out if n.attrs["keepdims"] else op.Unsqueeze(n.out, np.array(axes, np.int64))
    hit = op.Cast(op.Equal(x, y), to=NUMPY_TO_ONNX[x.dtype])
    ties = op.ReduceSum(hit, np.array(axes, np.int64), keepdims=1)
    spread, _ = _spread(n, g[0])
    return [op.Div(op.Mul(spread, hit), ties)] + [None] * (len(n.inputs) - 1)


_RED = dict(keepdims=1, noop_with_empty_axes=0)
defop("ReduceSum", _reduce_rule, _reduce_ref(np.sum), _sum_grad, defaults=_RED)
defop("ReduceMean", _reduce_rule, _reduce_ref(np.mean), _mean_grad, defaults=_RED)
defop("ReduceMax", _reduce_rule, _reduce_ref(np.max), _extreme_grad, defaults=_RED)
defop("ReduceMin", _reduce_rule, _reduce_ref(np.min), _extreme_grad, defaults=_RED)


def _arg_rule(ins, attrs):
    axis = attrs["axis"] % ins[0].ndim
    shape = [1 if i == axis else d for i, d in enumerate(ins[0].shape) if attrs["keepdims"] or i != axis]
    return [(tuple(shape), np.int64)]


def _arg_ref(fn):
    def ref(x, axis=0, keepdims=1, select_last_index=0):
        if not select_last_index:
            return np.asarray(fn(x, axis=axis, keepdims=bool(keepdims))).astype(np.int64)
        last = x.shape[axis] - 1  # the first hit in the reversed axis is the last one
        return (last - np.asarray(fn(np.flip(x, axis), axis=axis, keepdims=bool(keepdims)))).astype(np.int64)
    return ref


_ARG = dict(axis=0, keepdims=1, select_last_index=0)
defop("ArgMax", _arg_rule, _arg_ref(np.argmax), nograd(1), defaults=_ARG)
defop("ArgMin", _arg_rule, _arg_ref(np.argmin), nograd(1), defaults=_ARG)
