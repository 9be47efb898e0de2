"""Indexing ops: Gather, GatherND, ScatterND (reduction 'none' or 'add') and Range.

Their gradients are each other: d Gather / d data scatters the output gradient back with
ScatterND(zeros, indices, dY, reduction='add'), the form that is both right with repeated
indices and fastest on onnxruntime's CPU EP (notes §2b: ScatterElements is 5-40x slower,
OneHot+Gemm slower still, and ScatterND without a reduction keeps only one of the duplicates).

An optimizer can skip that dense gradient: `scattered_rows` recognizes it, and `row_totals`
gives each index its gradient row (repeats summed) without the table-sized zeros, so the
update of the rows a batch touched is computed on those rows alone.
"""

import numpy as np

from ..opdef import defop, nograd, op
from .elementwise import NUMPY_TO_ONNX


def zeros_like(x):
    """Zeros shaped like x, as ConstantOfShape(Shape(x)): also right when x has a dynamic axis
    (for a static x, Shape folds away and the zeros are filled at run time, not stored)."""
    return op.ConstantOfShape(op.Shape(x), value=np.zeros(1, x.dtype))


def _int64(indices):
    return indices if indices.dtype == np.int64 else op.Cast(indices, to=NUMPY_TO_ONNX[np.dtype(np.int64)])


def _check_indices(indices, who):
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{who} needs integer indices (int32 or int64), got {indices.dtype}")


# -- Gather -------------------------------------------------------------------------------


def _gather_rule(ins, attrs):
    data, indices = ins
    _check_indices(indices, "Gather")
    axis = attrs["axis"] % data.ndim
    return [(data.shape[:axis] + indices.shape + data.shape[axis + 1:], data.dtype)]


def _gather_ref(data, indices, axis=0):
    return np.take(data, indices.astype(np.int64), axis=axis)


def _gather_grad(n, g):
    data, indices = n.inputs
    axis = n.attrs["axis"] % data.ndim
    idx = op.Unsqueeze(_int64(indices), np.array([-1], np.int64))
    if axis == 0:
        return [op.ScatterND(zeros_like(data), idx, g[0], reduction="add"), None]
    # ScatterND addresses leading axes: move the gathered axis (and the indices' axes of dY)
    # to the front, scatter, and move it back.
    r = indices.ndim
    to_front = [axis] + [a for a in range(data.ndim) if a != axis]
    dy_perm = list(range(axis, axis + r)) + [a for a in range(g[0].ndim) if not axis <= a < axis + r]
    scattered = op.ScatterND(zeros_like(op.Transpose(data, perm=to_front)), idx,
                             op.Transpose(g[0], perm=dy_perm), reduction="add")
    return [op.Transpose(scattered, perm=[int(p) for p in np.argsort(to_front)]), None]


defop("Gather", _gather_rule, _gather_ref, _gather_grad, defaults=dict(axis=0))


# -- GatherND (batch_dims=0) --------------------------------------------------------------


def _gather_nd_rule(ins, attrs):
    data, indices = ins
    _check_indices(indices, "GatherND")
    if attrs["batch_dims"]:
        raise NotImplementedError("horn's GatherND supports batch_dims=0 only")
    k = indices.shape[-1]
    if k is None or k > data.ndim:
        raise ValueError(f"GatherND indices of shape {indices.shape} cannot address data of shape {data.shape}")
    return [(indices.shape[:-1] + data.shape[k:], data.dtype)]


def _index_tuple(indices, shape):
    """The rows of `indices` (..., k) as a tuple of k index arrays, negatives counted from the end."""
    k = indices.shape[-1]
    flat = indices.reshape(-1, k).astype(np.int64)
    return tuple(np.where(flat[:, j] < 0, flat[:, j] + shape[j], flat[:, j]) for j in range(k))


def _gather_nd_ref(data, indices, batch_dims=0):
    k = indices.shape[-1]
    picked = data[_index_tuple(indices, data.shape)]
    return picked.reshape(indices.shape[:-1] + data.shape[k:])


defop("GatherND", _gather_nd_rule, _gather_nd_ref,
      lambda n, g: [op.ScatterND(zeros_like(n.inputs[0]), n.inputs[1], g[0], reduction="add"), None],
      defaults=dict(batch_dims=0))


# -- ScatterND ----------------------------------------------------------------------------


def _scatter_nd_rule(ins, attrs):
    data, indices, updates = ins
    if indices.dtype != np.int64:
        raise TypeError(f"ScatterND needs int64 indices, got {indices.dtype}")
    k = indices.shape[-1]
    want = indices.shape[:-1] + data.shape[k:]
    if len(want) != updates.ndim or any(a is not None and b is not None and a != b
                                        for a, b in zip(want, updates.shape)):
        raise ValueError(f"ScatterND into data {data.shape} at indices {indices.shape} needs updates of "
                         f"shape {want}, got {updates.shape}")
    if attrs["reduction"] not in ("none", "add", "mul", "max", "min"):
        raise ValueError(f"ScatterND reduction must be none, add, mul, max or min, got {attrs['reduction']!r}")
    return [(data.shape, data.dtype)]


_AT = {"add": np.add, "mul": np.multiply, "max": np.maximum, "min": np.minimum}


def _scatter_nd_ref(data, indices, updates, reduction="none"):
    out = data.copy()
    k = indices.shape[-1]
    where = _index_tuple(indices, data.shape)
    rows = updates.reshape((-1,) + data.shape[k:])
    if reduction == "none":
        for i in range(rows.shape[0]):  # in order: with duplicates the last write wins, as on ORT
            out[tuple(w[i] for w in where)] = rows[i]
    else:
        _AT[reduction].at(out, where, rows)
    return out


def _scatter_nd_grad(n, g):
    data, indices, updates = n.inputs
    reduction = n.attrs["reduction"]
    d_updates = op.GatherND(g[0], indices)
    if reduction == "add":
        return [g[0], None, d_updates]
    if reduction == "none":  # overwritten elements of data get no gradient
        return [op.ScatterND(g[0], indices, zeros_like(updates)), None, d_updates]
    raise NotImplementedError(f"the gradient of ScatterND with reduction={reduction!r}")


defop("ScatterND", _scatter_nd_rule, _scatter_nd_ref, _scatter_nd_grad, defaults=dict(reduction="none"))


# -- Range --------------------------------------------------------------------------------


def _range_rule(ins, attrs):
    start, limit, delta = ins
    if any(v.ndim for v in ins):
        raise ValueError(f"Range takes scalars, got shapes {[v.shape for v in ins]}")
    if all(v.const is not None for v in ins):
        return [(_range_ref(start.const, limit.const, delta.const).shape, start.dtype)]
    return [((None,), start.dtype)]


def _range_ref(start, limit, delta):
    return np.arange(start, limit, delta).astype(np.asarray(start).dtype)


defop("Range", _range_rule, _range_ref, nograd(3))


# -- row-sparse gradients -----------------------------------------------------------------


def scattered_rows(grad):
    """(indices, updates) when `grad` is ScatterND(zeros, indices (..., 1), updates, 'add'):
    whole rows added into zeros, as Gather's gradient along axis 0 is; else None."""
    node = grad.producer
    if node is None or node.op_type != "ScatterND" or node.attrs["reduction"] != "add":
        return None
    data, indices, updates = node.inputs
    if indices.shape[-1] != 1 or not _is_zeros(data):
        return None
    return indices, updates


def _is_zeros(v):
    if v.const is not None:
        return not np.any(v.const)
    node = v.producer
    return node is not None and node.op_type == "ConstantOfShape" and not np.any(node.attrs.get("value", 0))


def row_totals(indices, updates, num_rows):
    """The rows that ScatterND(zeros, indices, updates, 'add') would fill, without the zeros:
    (idx, totals) where idx (n, 1) lists the n scattered indices in order (repeats kept) and
    totals[i] is the whole row idx[i] of the dense sum (every update aimed at that index,
    added in the same order as the dense scatter adds them, so the sums are bit-identical).

    Each index's first position is its representative (a min-scatter of positions into a
    num_rows table: deterministic, unlike a plain scatter's write race between repeats);
    updates are summed at the representatives and read back for every position.
    """
    idx = op.Reshape(indices, np.array([-1, 1], np.int64))
    flat = op.Reshape(idx, np.array([-1], np.int64))  # as the caller's reshape of idx (CSE merges them)
    rows = op.Reshape(updates, np.array([-1, *updates.shape[indices.ndim - 1:]], np.int64))
    positions = op.Range(np.array(0, np.int64), op.Size(flat), np.array(1, np.int64))
    owner = op.ScatterND(np.full(num_rows, np.iinfo(np.int64).max), idx, positions, reduction="min")
    first = op.Gather(owner, flat)
    sums = op.ScatterND(zeros_like(rows), op.Unsqueeze(first, np.array([-1], np.int64)), rows, reduction="add")
    return idx, op.Gather(sums, first)
