"""Merge layers: element-wise Add/Subtract/Multiply/Average/Maximum/Minimum, Concatenate and Dot."""

from functools import reduce

import numpy as np

from ... import ops
from ..layer import Layer


class _Merge(Layer):
    """Base: takes a list of tensors of broadcast-compatible shapes, returns one."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _check(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) should be called on a list of at "
                             f"least 2 inputs, got {inputs!r}")

    def call(self, inputs):
        self._check(inputs)
        return reduce(self._merge, inputs)

    def compute_mask(self, inputs, mask=None):
        """Keras 3's rule: a step is kept where any input keeps it; an input without a mask
        drops the mask (Keras 2 ANDed the masks that were present)."""
        if mask is None or not isinstance(mask, (list, tuple)) or any(m is None for m in mask):
            return None
        return reduce(ops.logical_or, mask)


class Add(_Merge):
    """Element-wise sum of the inputs."""

    def _merge(self, a, b):
        return ops.add(a, b)


class Subtract(_Merge):
    """inputs[0] - inputs[1] (exactly two inputs)."""

    def call(self, inputs):
        self._check(inputs)
        if len(inputs) != 2:
            raise ValueError(f"Layer '{self.name}' (Subtract) takes exactly 2 inputs, got {len(inputs)}")
        return ops.subtract(inputs[0], inputs[1])


class _MaskedValues(_Merge):
    """Keras 3's Multiply, Maximum and Minimum: a masked step of one input does not take part
    (the others' values pass through), so the result at a step depends only on the inputs
    that keep it."""

    def call(self, inputs, mask=None):
        self._check(inputs)
        masks = list(mask) if isinstance(mask, (list, tuple)) else [None] * len(inputs)
        masks = [None if m is None else _spread(m, x) for m, x in zip(masks, inputs)]
        return self._merge_masked(list(inputs), masks)


def _spread(mask, x):
    """A (batch, time) mask broadcast over x's feature axes."""
    for _ in range(len(x.shape) - len(mask.shape)):
        mask = ops.expand_dims(mask, -1)
    return ops.logical_or(mask, ops.zeros_like(x, dtype="bool"))


class Multiply(_MaskedValues):
    """Element-wise product of the inputs (a masked step of an input counts as 1; where every
    input is masked, 0)."""

    def _merge_masked(self, inputs, masks):
        every = all(m is not None for m in masks)
        out, kept = None, None
        for x, m in zip(inputs, masks):
            if m is not None:
                x = ops.where(m, x, np.ones((), x.dtype))
                kept = m if kept is None else ops.logical_or(kept, m)
            out = x if out is None else ops.multiply(out, x)
        return ops.where(kept, out, np.zeros((), out.dtype)) if every else out


class Average(_Merge):
    """Element-wise mean of the inputs."""

    def call(self, inputs):
        self._check(inputs)
        return ops.divide(reduce(ops.add, inputs), float(len(inputs)))


def _extreme(op, inputs, masks):
    """Maximum/Minimum with masked steps passed over: a masked value is replaced by the running
    result (and a masked running result by the value)."""
    out, kept = inputs[0], masks[0]
    for x, m in zip(inputs[1:], masks[1:]):
        if m is not None:
            x = ops.where(m, x, out)
        if kept is not None:
            out = ops.where(kept, out, x)
        kept = ops.logical_or(kept, m) if kept is not None and m is not None else None
        out = op(out, x)
    return out


class Maximum(_MaskedValues):
    """Element-wise maximum of the inputs (over the inputs that keep each step)."""

    def _merge_masked(self, inputs, masks):
        return _extreme(ops.maximum, inputs, masks)


class Minimum(_MaskedValues):
    """Element-wise minimum of the inputs (over the inputs that keep each step)."""

    def _merge_masked(self, inputs, masks):
        return _extreme(ops.minimum, inputs, masks)


class Concatenate(_Merge):
    """Concatenates the inputs along `axis` (default the last)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs):
        self._check(inputs)
        ranks = {len(x.shape) for x in inputs}
        if len(ranks) != 1:
            raise ValueError(f"Layer '{self.name}' (Concatenate) needs inputs of one rank, got shapes "
                             f"{[tuple(x.shape) for x in inputs]}")
        axis = self.axis % ranks.pop()
        for x in inputs[1:]:
            for i, (a, b) in enumerate(zip(inputs[0].shape, x.shape)):
                if i != axis and a is not None and b is not None and a != b:
                    raise ValueError(f"Layer '{self.name}' (Concatenate) needs inputs whose shapes match "
                                     f"except on the concat axis, got {[tuple(t.shape) for t in inputs]}")
        return ops.concatenate(list(inputs), axis=axis)

    def compute_mask(self, inputs, mask=None):
        """Keras 3's rule: the inputs' masks (all-true for an input without one) broadcast to
        the inputs' shapes, concatenated along `axis`, kept where any feature is kept. Joining
        features (the last axis), that is the masks ORed; joining timesteps, the masks joined."""
        if mask is None or not isinstance(mask, (list, tuple)) or all(m is None for m in mask):
            return None
        rank = len(inputs[0].shape)
        parts = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = ops.ones_like(x, dtype="bool")
            elif len(m.shape) < rank:
                m = _spread(m, x)
            parts.append(m)
        joined = ops.cast(ops.concatenate(parts, axis=self.axis % rank), "float32")
        return ops.greater(ops.max(joined, axis=-1), np.float32(0))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Dot product of two (batch, n) or (batch, ..., n) tensors along `axes`, optionally of the
    L2-normalized inputs (cosine similarity)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        self.axes, self.normalize = axes, normalize

    def call(self, inputs):
        self._check(inputs)
        a, b = inputs
        axes = self.axes if isinstance(self.axes, (list, tuple)) else (self.axes, self.axes)
        axes = [ax % len(t.shape) for ax, t in zip(axes, (a, b))]
        if self.normalize:
            a, b = (ops.divide(t, ops.sqrt(ops.maximum(ops.sum(ops.square(t), axis=ax, keepdims=True), 1e-12)))
                    for t, ax in zip((a, b), axes))
        if len(a.shape) == 2 and len(b.shape) == 2:
            return ops.sum(ops.multiply(a, b), axis=1, keepdims=True)
        a = _move(a, axes[0], len(a.shape) - 1)
        b = _move(b, axes[1], 1)
        return ops.matmul(a, b)

    def compute_mask(self, inputs, mask=None):
        return None  # the contracted axes are gone (Keras 3: Dot carries no mask)

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _move(x, src, dst):
    perm = [i for i in range(len(x.shape)) if i != src]
    perm.insert(dst, src)
    return x if perm == sorted(perm) else ops.transpose(x, perm)


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
