"""Slice and Pad: each is the other's gradient.

Slice takes starts, ends, axes and steps as constant inputs, with ONNX's clamping rules. Its
gradient puts the output gradient back where the slice read it, zeros elsewhere: one Pad for
unit steps; for other steps the gradient is first spread out (each element followed by
step - 1 zeros: Unsqueeze, Pad, Reshape) and, for negative steps, reversed.

Pad (constant, reflect, edge, wrap; negative pads crop) has a gradient in constant mode: the
output gradient cropped back to the input's region.
"""

import numpy as np

from ..opdef import const_ints, defop, op

_BIG = np.iinfo(np.int64).max


def _spec(ins, rank):
    """Per sliced axis (sorted): (axis, start, end, step) as given, before clamping."""
    starts = const_ints(ins[1], "the starts of Slice")
    ends = const_ints(ins[2], "the ends of Slice")
    axes = const_ints(ins[3] if len(ins) > 3 else None, "the axes of Slice")
    steps = const_ints(ins[4] if len(ins) > 4 else None, "the steps of Slice")
    axes = list(range(len(starts))) if axes is None else axes
    steps = [1] * len(starts) if steps is None else steps
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise ValueError(f"Slice needs as many starts, ends, axes and steps, got {starts}, {ends}, "
                         f"{axes}, {steps}")
    norm = [a + rank if a < 0 else a for a in axes]
    if any(not 0 <= a < rank for a in norm) or len(set(norm)) != len(norm):
        raise ValueError(f"Slice axes {axes} are out of range or repeated for rank {rank}")
    if 0 in steps:
        raise ValueError(f"Slice steps cannot be 0, got {steps}")
    return sorted(zip(norm, starts, ends, steps))


def _clamp(dim, start, end, step):
    """ONNX's rules: negative indices count from the end; then clamp to the valid range."""
    start = start + dim if start < 0 else start
    end = end + dim if end < 0 else end
    if step > 0:
        start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        count = max(0, -(-(end - start) // step))
    else:
        start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        count = max(0, -(-(start - end) // -step))
    return start, count


def _slice_rule(ins, attrs):
    x = ins[0]
    shape = list(x.shape)
    for axis, start, end, step in _spec(ins, x.ndim):
        if shape[axis] is None:
            shape[axis] = None if _whole(start, end, step) else _unknown(axis, x)
        else:
            shape[axis] = _clamp(shape[axis], start, end, step)[1]
    return [(tuple(shape), x.dtype)]


def _whole(start, end, step):
    """Does this slice take every element of an axis of any length (forwards, or reversed)?"""
    forwards = step == 1 and start == 0 and end >= _BIG // 2
    backwards = step == -1 and (start == -1 or start >= _BIG // 2) and end <= -_BIG // 2
    return forwards or backwards


def _unknown(axis, x):
    raise ValueError(f"Slice along axis {axis} of unknown size (shape {x.shape}) must take all of it, "
                     "forwards or reversed")


def _slice_ref(x, starts, ends, axes=None, steps=None):
    index = [slice(None)] * x.ndim
    ins = [None, starts, ends, axes, steps]
    consts = [None] + [None if v is None else _Const(v) for v in ins[1:]]
    for axis, start, end, step in _spec(consts, x.ndim):
        first, count = _clamp(x.shape[axis], start, end, step)
        last = first + step * (count - 1)
        # A numpy slice that visits exactly first, first + step, ... (count of them).
        stop = last + (1 if step > 0 else -1)
        index[axis] = slice(first, None if stop < 0 else stop, step) if count else slice(0, 0)
    return x[tuple(index)].copy()


class _Const:
    """A numpy array seen as a constant Value (so the reference shares the shape rule's parsing)."""

    def __init__(self, array):
        self.const, self.hint = np.asarray(array), None


def _slice_grad(n, grads):
    x, gy = n.inputs[0], grads[0]
    begins, ends = [0] * x.ndim, [0] * x.ndim
    for axis, start, end, step in _spec(n.inputs, x.ndim):
        dim = x.shape[axis]
        if dim is None:  # the shape rule only lets a slice take all of an unknown axis
            if step < 0:  # reversed it: reverse the gradient back
                gy = op.Slice(gy, np.array([-1], np.int64), np.array([-_BIG], np.int64),
                              np.array([axis], np.int64), np.array([-1], np.int64))
            continue
        first, count = _clamp(dim, start, end, step)
        if count == 0:  # nothing was read
            zeros = op.ConstantOfShape(op.Shape(x), value=np.zeros(1, x.dtype))
            return [zeros] + [None] * (len(n.inputs) - 1)
        if step < 0:  # the elements were read backwards: reverse, then read forwards
            gy = op.Slice(gy, np.array([-1], np.int64), np.array([-_BIG], np.int64),
                          np.array([axis], np.int64), np.array([-1], np.int64))
            first, step = first + step * (count - 1), -step
        if step > 1:
            gy = _spread(gy, axis, step, dim - first)
        # gy now covers positions first .. first + (count - 1) * step, and maybe zeros after.
        begins[axis], ends[axis] = first, dim - first - gy.shape[axis]
    if any(begins) or any(ends):
        gy = op.Pad(gy, np.array(begins + ends, np.int64))
    return [gy] + [None] * (len(n.inputs) - 1)


def _spread(gy, axis, step, room):
    """Put step - 1 zeros after each element along `axis`, keeping at most `room` positions."""
    shape = list(gy.shape)
    count = shape[axis]
    g = op.Unsqueeze(gy, np.array([axis + 1], np.int64))
    pads = [0] * g.ndim * 2
    pads[g.ndim + axis + 1] = step - 1
    g = op.Pad(g, np.array(pads, np.int64))
    shape[axis] = count * step
    g = op.Reshape(g, np.array([0 if d is None else d for d in shape], np.int64))
    if count * step > room:
        g = op.Slice(g, np.array([0], np.int64), np.array([room], np.int64), np.array([axis], np.int64))
    return g


defop("Slice", _slice_rule, _slice_ref, _slice_grad)


def _pads(ins, rank):
    """(begins, ends) per axis of the input, from the pads input and the optional axes input."""
    pads = const_ints(ins[1], "the pads of Pad")
    axes = const_ints(ins[3] if len(ins) > 3 else None, "the axes of Pad")
    axes = list(range(rank)) if axes is None else [a + rank if a < 0 else a for a in axes]
    if len(pads) != 2 * len(axes) or any(not 0 <= a < rank for a in axes):
        raise ValueError(f"Pad needs 2 pads per padded axis (begins, then ends) for axes within rank "
                         f"{rank}, got pads {pads} for axes {axes}")
    begins, ends = [0] * rank, [0] * rank
    for i, a in enumerate(axes):
        begins[a], ends[a] = pads[i], pads[len(axes) + i]
    return begins, ends


def _pad_rule(ins, attrs):
    x = ins[0]
    begins, ends = _pads(ins, x.ndim)
    shape = []
    for i, (d, b, e) in enumerate(zip(x.shape, begins, ends)):
        if d is None:
            if b or e:
                raise ValueError(f"Pad cannot pad axis {i} of unknown size (shape {x.shape})")
            shape.append(None)
        elif d + b + e < 0:
            raise ValueError(f"Pad would make axis {i} of shape {x.shape} negative: pads {b}, {e}")
        else:
            shape.append(d + b + e)
    if attrs.get("mode", "constant") not in ("constant", "reflect", "edge", "wrap"):
        raise ValueError(f"Pad mode must be constant, reflect, edge or wrap, got {attrs['mode']!r}")
    return [(tuple(shape), x.dtype)]


def _pad_ref(x, pads, constant_value=None, axes=None, mode="constant"):
    consts = [None, _Const(pads), None] + ([] if axes is None else [_Const(axes)])
    begins, ends = _pads(consts, x.ndim)
    # Negative pads crop first; then the positive ones pad in the given mode.
    x = x[tuple(slice(max(-b, 0), d - max(-e, 0)) for d, b, e in zip(x.shape, begins, ends))]
    widths = [(max(b, 0), max(e, 0)) for b, e in zip(begins, ends)]
    if mode == "constant":
        value = 0 if constant_value is None else np.asarray(constant_value).reshape(-1)[0]
        return np.pad(x, widths, mode="constant", constant_values=value)
    return np.pad(x, widths, mode={"reflect": "reflect", "edge": "edge", "wrap": "wrap"}[mode])


def _pad_grad(n, grads):
    x, gy = n.inputs[0], grads[0]
    if n.attrs.get("mode", "constant") != "constant":
        raise NotImplementedError(f"the gradient of Pad in mode {n.attrs['mode']!r}")
    begins, ends = _pads(n.inputs, x.ndim)
    # Cropped positions (negative pads) get zero gradient; then cut out the input's region.
    lost = [max(-b, 0) for b in begins] + [max(-e, 0) for e in ends]
    g = op.Pad(gy, np.array(lost, np.int64)) if any(lost) else gy
    axes = [i for i, (b, e) in enumerate(zip(begins, ends)) if b > 0 or e > 0]
    if axes:
        starts = [max(begins[a], 0) for a in axes]
        g = op.Slice(g, np.array(starts, np.int64),
                     np.array([s + x.shape[a] for s, a in zip(starts, axes)], np.int64),
                     np.array(axes, np.int64))
    out = [g, None]
    if len(n.inputs) > 2:
        cv = n.inputs[2]
        # The constant fills every output position that no input element lands on.
        out.append(None if cv is None else op.Reshape(
            op.Sub(op.ReduceSum(gy, keepdims=0), op.ReduceSum(g, keepdims=0)),
            np.array(cv.shape, np.int64)))
    return out + [None] * (len(n.inputs) - len(out))


defop("Pad", _pad_rule, _pad_ref, _pad_grad, defaults=dict(mode="constant"))
