"""Ops that move data without arithmetic: Reshape, Transpose, (Un)Squeeze, Concat, Split,
Expand, and the shape queries Shape, Size, ConstantOfShape."""

import numpy as np

from ..opdef import broadcast_shapes, const_ints, defop, nograd, norm_axes, op


def _reshape_rule(ins, attrs):
    x = ins[0]
    target = const_ints(ins[1], "the target shape of Reshape")
    out = [x.shape[i] if t == 0 and not attrs.get("allowzero") else t for i, t in enumerate(target)]
    if ins[1].const is None:  # computed at run time: its hint says -1 where a dim is unknown
        return [(tuple(None if d is None or d < 0 else d for d in out), x.dtype)]
    if out.count(-1) > 1:
        raise ValueError(f"Reshape target {target} has more than one -1")
    if -1 in out:
        rest = [d for d in out if d != -1]
        if x.shape.count(None) == rest.count(None):
            known_in = int(np.prod([d for d in x.shape if d is not None]))
            known_out = int(np.prod([d for d in rest if d is not None]))
            if known_out == 0 or known_in % known_out:
                raise ValueError(f"cannot reshape {x.shape} into {tuple(target)}")
            out[out.index(-1)] = known_in // known_out
        else:
            out[out.index(-1)] = None
    elif None not in x.shape and None not in out and np.prod(out) != np.prod(x.shape):
        raise ValueError(f"cannot reshape {x.shape} into {tuple(target)}")
    return [(tuple(out), x.dtype)]


def _reshape_ref(x, shape, allowzero=0):
    shape = [x.shape[i] if (s == 0 and not allowzero) else s for i, s in enumerate(shape)]
    return x.reshape(shape)


defop("Reshape", _reshape_rule, _reshape_ref,
      lambda n, g: [op.Reshape(g[0], op.Shape(n.inputs[0])), None], defaults=dict(allowzero=0))


def _transpose_rule(ins, attrs):
    perm = attrs.get("perm") or list(reversed(range(ins[0].ndim)))
    return [(tuple(ins[0].shape[p] for p in perm), ins[0].dtype)]


def _transpose_grad(n, g):
    perm = n.attrs.get("perm") or list(reversed(range(n.inputs[0].ndim)))
    return [op.Transpose(g[0], perm=[int(i) for i in np.argsort(perm)])]


defop("Transpose", _transpose_rule, lambda x, perm=None: np.transpose(x, perm).copy(), _transpose_grad)


def _squeeze_axes(ins):
    axes = const_ints(ins[1] if len(ins) > 1 else None, "the axes of Squeeze")
    if axes is None:
        return [i for i, d in enumerate(ins[0].shape) if d == 1]
    return norm_axes(axes, ins[0].ndim)


def _squeeze_rule(ins, attrs):
    axes = _squeeze_axes(ins)
    for a in axes:
        if ins[0].shape[a] not in (1, None):
            raise ValueError(f"cannot squeeze axis {a} of shape {ins[0].shape}: its size is not 1")
    return [(tuple(d for i, d in enumerate(ins[0].shape) if i not in axes), ins[0].dtype)]


def _unsqueeze_rule(ins, attrs):
    axes = const_ints(ins[1], "the axes of Unsqueeze")
    rank = ins[0].ndim + len(axes)
    axes = norm_axes(axes, rank)
    dims = iter(ins[0].shape)
    return [(tuple(1 if i in axes else next(dims) for i in range(rank)), ins[0].dtype)]


def _unsqueeze_ref(x, axes):
    rank = x.ndim + len(axes)
    return np.expand_dims(x, tuple(int(a) % rank for a in np.reshape(axes, -1)))


def _squeeze_ref(x, axes=None):
    return np.squeeze(x, None if axes is None else tuple(int(a) for a in np.reshape(axes, -1)))


defop("Squeeze", _squeeze_rule, _squeeze_ref, lambda n, g: [
    op.Unsqueeze(g[0], np.array(_squeeze_axes(n.inputs), np.int64)), None][:len(n.inputs)])
defop("Unsqueeze", _unsqueeze_rule, _unsqueeze_ref, lambda n, g: [
    op.Squeeze(g[0], np.array(norm_axes(const_ints(n.inputs[1], "axes"), n.out.ndim), np.int64)),
    None])


def _concat_rule(ins, attrs):
    rank = ins[0].ndim
    axis = attrs["axis"] % rank
    dims = [v.shape[axis] for v in ins]
    shape = list(broadcast_shapes(*[tuple(d for i, d in enumerate(v.shape) if i != axis) for v in ins]))
    shape.insert(axis, None if None in dims else sum(dims))
    return [(tuple(shape), ins[0].dtype)]


def _concat_grad(n, g):
    axis = n.attrs["axis"] % n.out.ndim
    sizes = [v.shape[axis] for v in n.inputs]
    if None in sizes:
        raise NotImplementedError("the gradient of Concat along a dynamic axis")
    parts = op.Split(g[0], np.array(sizes, np.int64), axis=axis)
    return list(parts) if isinstance(parts, tuple) else [parts]


def _concat_hint(ins, attrs):
    """The dims a shape vector joined from constants and Shape outputs holds (-1 where unknown)."""
    if ins[0].ndim != 1 or ins[0].dtype != np.int64:
        return None
    parts = [v.const if v.const is not None else v.hint for v in ins]
    if any(p is None for p in parts):
        return None
    return [int(d) for p in parts for d in np.asarray(p).reshape(-1)]


defop("Concat", _concat_rule, lambda *xs, axis: np.concatenate(xs, axis=axis), _concat_grad,
      hint=_concat_hint)


def _split_rule(ins, attrs):
    sizes = const_ints(ins[1], "the split sizes")
    axis = attrs["axis"] % ins[0].ndim
    shapes = []
    for s in sizes:
        shape = list(ins[0].shape)
        shape[axis] = s
        shapes.append((tuple(shape), ins[0].dtype))
    return shapes


def _split_ref(x, split, axis=0):
    return tuple(np.split(x, np.cumsum(split)[:-1], axis=axis))


def _split_grad(n, g):
    parts = [gi if gi is not None else op.ConstantOfShape(op.Shape(o), value=np.zeros(1, o.dtype))
             for gi, o in zip(g, n.outputs)]
    return [op.Concat(*parts, axis=n.attrs["axis"]), None]


defop("Split", _split_rule, _split_ref, _split_grad, defaults=dict(axis=0))


def _expand_rule(ins, attrs):
    target = const_ints(ins[1], "the shape of Expand")
    return [(broadcast_shapes(ins[0].shape, tuple(None if d < 0 else d for d in target)), ins[0].dtype)]


def _expand_ref(x, shape):
    return np.broadcast_to(x, np.broadcast_shapes(x.shape, tuple(int(d) for d in shape))).copy()


def _expand_grad(n, g):
    from ..opdef import unbroadcast
    return [unbroadcast(g[0], n.inputs[0].shape), None]


# A dynamic dim in a shape hint is written -1: Expand treats it as "keep the input's".
defop("Expand", _expand_rule, _expand_ref, _expand_grad)
def _shape_dims(dims, attrs):
    """The dims Shape returns: those from `start` to `end` (ONNX's optional slice, opset 15)."""
    return tuple(dims)[attrs.get("start", 0):attrs.get("end")]


defop("Shape", lambda ins, at: [((len(_shape_dims(ins[0].shape, at)),), np.int64)],
      lambda x, **at: np.array(_shape_dims(x.shape, at), np.int64), nograd(1),
      hint=lambda ins, at: [-1 if d is None else d for d in _shape_dims(ins[0].shape, at)])
defop("Size", lambda ins, at: [((), np.int64)], lambda x: np.array(x.size, np.int64), nograd(1))


def _constant_of_shape_rule(ins, attrs):
    dims = const_ints(ins[0], "the shape of ConstantOfShape")
    value = attrs.get("value")
    dtype = np.float32 if value is None else np.asarray(value).dtype
    return [(tuple(None if d < 0 else d for d in dims), dtype)]


def _constant_of_shape_ref(shape, value=None):
    value = np.zeros(1, np.float32) if value is None else np.asarray(value)
    return np.full(tuple(int(d) for d in shape), value.reshape(-1)[0], value.dtype)


defop("ConstantOfShape", _constant_of_shape_rule, _constant_of_shape_ref, nograd(1))
