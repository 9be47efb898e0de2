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


class Multiply(_Merge):
    """Element-wise product of the inputs."""

    def _merge(self, a, b):
        return ops.multiply(a, b)


class Average(_Merge):
    """Element-wise mean of the inputs."""

    def call(self, inputs):
        self._check(inputs)
        return ops.divide(reduce(ops.add, inputs), float(len(inputs)))


class Maximum(_Merge):
    """Element-wise maximum of the inputs."""

    def _merge(self, a, b):
        return ops.maximum(a, b)


class Minimum(_Merge):
    """Element-wise minimum of the inputs."""

    def _merge(self, a, b):
        return ops.minimum(a, b)


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
                m = ops.logical_or(ops.expand_dims(m, -1), ops.zeros_like(x, dtype="bool"))
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
