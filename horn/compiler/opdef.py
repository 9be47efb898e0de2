"""`OpDef`: everything horn knows about one ONNX op type, in one place.

Each op holds its shape/dtype rule (`infer`), its gradient rule (`grad`), its numpy
reference (`reference`, used for constant folding, eager mode and tests), and its
emission (ONNX nodes map 1:1 to IR nodes, so emission is generic unless `emit` says
otherwise). The op modules in `opdefs/` register themselves with `defop`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .ir import apply

OPS: dict[str, OpDef] = {}


@dataclass
class OpDef:
    op_type: str
    infer: Callable  # (input values, attrs) -> [(shape, dtype), ...]
    reference: Callable  # (*numpy inputs, **attrs) -> array or tuple of arrays
    grad: Callable | None = None  # (node, output grads) -> [input grad or None, ...]
    defaults: dict = field(default_factory=dict)  # attribute defaults, made explicit in the IR
    hint: Callable | None = None  # (inputs, attrs) -> the dims an int64 shape tensor holds
    deterministic: bool = True  # False for ops that draw random numbers (never folded)
    domain: str = ""
    private: tuple = ()  # attributes horn keeps for itself, never emitted


def defop(op_type, infer, reference, grad=None, **kw):
    OPS[op_type] = OpDef(op_type, infer, reference, grad, **kw)
    return OPS[op_type]


class Op:
    """`op.Mul(a, b)` is `apply("Mul", a, b)`: gradient rules read like the ONNX they emit."""

    def __getattr__(self, op_type):
        return lambda *inputs, **attrs: apply(op_type, *inputs, **attrs)


op = Op()


# Ops that act on each element on its own, broadcasting their inputs (ONNX semantics): what
# transposes sink through, what a loop's hoisting moves out, what may overwrite an input.
ELEMENTWISE = frozenset({
    "Relu", "Sigmoid", "Tanh", "Identity", "Cast", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Sin", "Cos",
    "Erf", "Sign", "Floor", "Not", "Elu", "Selu", "LeakyRelu", "HardSigmoid", "Softplus", "Softsign",
    "Clip", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Where", "Equal", "Greater", "Less",
    "GreaterOrEqual", "LessOrEqual", "And", "Or",
})


# -- shape rules ----------------------------------------------------------------------


def broadcast_shapes(*shapes):
    """Numpy broadcasting over static shapes; None (dynamic) matches anything but a 1 wins."""
    rank = max(len(s) for s in shapes)
    out = []
    for dims in zip(*[(1,) * (rank - len(s)) + tuple(s) for s in shapes]):
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"shapes {' and '.join(map(str, shapes))} cannot be broadcast together")
        if known:
            out.append(known.pop())
        elif None in dims:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def same_as(i=0, dtype=None):
    """Output 0 has the shape (and dtype, unless given) of input i."""
    return lambda ins, attrs: [(ins[i].shape, dtype or ins[i].dtype)]


def elementwise(dtype=None):
    """Broadcast all inputs; the dtype is the first input's unless given."""

    def rule(ins, attrs):
        return [(broadcast_shapes(*[v.shape for v in ins if v is not None]), dtype or ins[0].dtype)]

    return rule


def const_ints(value, what):
    """The int64 constant a shape-like input holds (axes, shapes), as a list of ints."""
    if value is None:
        return None
    if value.const is not None:
        return [int(a) for a in np.asarray(value.const).reshape(-1)]
    if value.hint is not None:
        return list(value.hint)
    raise ValueError(f"{what} must be known while tracing, but {value.name} is computed at run time")


def norm_axes(axes, rank):
    return sorted(a % rank for a in axes)


# -- gradient helpers -----------------------------------------------------------------


def unbroadcast(grad, shape):
    """Sum `grad` over the axes that broadcasting expanded, giving it `shape`."""
    if grad is None:
        return None
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = list(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and grad.shape[lead + i] != 1:
            axes.append(lead + i)
    if axes:
        grad = op.ReduceSum(grad, np.array(axes, np.int64), keepdims=1)
    if lead:
        grad = op.Squeeze(grad, np.arange(lead, dtype=np.int64))
    return grad


def nograd(n_inputs):
    """A rule for ops whose outputs carry no gradient (comparisons, ArgMax, Shape...)."""
    return lambda node, grads: [None] * len(node.inputs)
