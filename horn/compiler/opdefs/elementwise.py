"""Element-wise arithmetic, comparisons, Where, Clip and Cast."""

import math

import numpy as np

from ..dtypes import NUMPY_TO_ONNX, ONNX_TO_NUMPY  # noqa: F401  (re-exported for the op modules)
from ..opdef import defop, elementwise, nograd, op, same_as, unbroadcast


def _binary(op_type, fn, grad):
    defop(op_type, elementwise(), lambda a, b: fn(a, b).astype(np.result_type(a), copy=False), grad)


def _shapes(node):
    return [v.shape for v in node.inputs]


_binary("Add", np.add, lambda n, g: [unbroadcast(g[0], s) for s in _shapes(n)])
_binary("Sub", np.subtract, lambda n, g: [unbroadcast(g[0], n.inputs[0].shape),
                                          unbroadcast(op.Neg(g[0]), n.inputs[1].shape)])
_binary("Mul", np.multiply, lambda n, g: [unbroadcast(op.Mul(g[0], n.inputs[1]), n.inputs[0].shape),
                                          unbroadcast(op.Mul(g[0], n.inputs[0]), n.inputs[1].shape)])
def _div_ref(a, b):
    if a.dtype.kind == "f":
        return a / b
    return np.abs(a) // np.abs(b) * np.sign(a) * np.sign(b)  # ONNX truncates toward zero


_binary("Div", _div_ref,
        lambda n, g: [unbroadcast(op.Div(g[0], n.inputs[1]), n.inputs[0].shape),
                      unbroadcast(op.Neg(op.Mul(g[0], op.Div(n.out, n.inputs[1]))), n.inputs[1].shape)])
_binary("Pow", np.power, lambda n, g: [
    unbroadcast(op.Mul(g[0], op.Mul(n.inputs[1], op.Pow(n.inputs[0], op.Sub(n.inputs[1], 1.0)))),
                n.inputs[0].shape),
    unbroadcast(op.Mul(g[0], op.Mul(n.out, op.Log(n.inputs[0]))), n.inputs[1].shape)])


def _select_grad(pick_first):
    """Max/Min: the gradient flows to the input that was selected (the first one on ties)."""
    def rule(n, g):
        a, b = n.inputs
        first = pick_first(a, b)
        zero = np.zeros((), a.dtype)
        return [unbroadcast(op.Where(first, g[0], zero), a.shape),
                unbroadcast(op.Where(first, zero, g[0]), b.shape)]
    return rule


_binary("Max", np.maximum, _select_grad(op.GreaterOrEqual))
_binary("Min", np.minimum, _select_grad(op.LessOrEqual))

for _name, _fn in [("Equal", np.equal), ("Greater", np.greater), ("Less", np.less),
                   ("GreaterOrEqual", np.greater_equal), ("LessOrEqual", np.less_equal),
                   ("And", np.logical_and), ("Or", np.logical_or)]:
    defop(_name, elementwise(np.bool_), _fn, nograd(2))
defop("Not", same_as(0, np.bool_), np.logical_not, nograd(1))


def _unary(op_type, fn, grad, **kw):
    defop(op_type, same_as(0), lambda x, **a: np.asarray(fn(x, **a)).astype(x.dtype, copy=False), grad, **kw)


_unary("Neg", lambda x: -x, lambda n, g: [op.Neg(g[0])])
_unary("Identity", lambda x: x.copy(), lambda n, g: [g[0]])
_unary("Abs", np.abs, lambda n, g: [op.Mul(g[0], op.Sign(n.inputs[0]))])
_unary("Sign", np.sign, nograd(1))
_unary("Floor", np.floor, nograd(1))
_unary("Exp", np.exp, lambda n, g: [op.Mul(g[0], n.out)])
_unary("Log", np.log, lambda n, g: [op.Div(g[0], n.inputs[0])])
_unary("Sqrt", np.sqrt, lambda n, g: [op.Div(op.Mul(g[0], 0.5), n.out)])
_unary("Reciprocal", lambda x: 1 / x, lambda n, g: [op.Neg(op.Mul(g[0], op.Mul(n.out, n.out)))])
_unary("Sin", np.sin, lambda n, g: [op.Mul(g[0], op.Cos(n.inputs[0]))])
_unary("Cos", np.cos, lambda n, g: [op.Neg(op.Mul(g[0], op.Sin(n.inputs[0])))])
_unary("Erf", np.vectorize(math.erf, otypes=[np.float64]), lambda n, g: [
    op.Mul(g[0], op.Mul(2 / math.sqrt(math.pi), op.Exp(op.Neg(op.Mul(n.inputs[0], n.inputs[0])))))])


def _where_grad(n, g):
    cond, a, b = n.inputs
    zero = np.zeros((), a.dtype)
    return [None, unbroadcast(op.Where(cond, g[0], zero), a.shape),
            unbroadcast(op.Where(cond, zero, g[0]), b.shape)]


defop("Where", lambda ins, at: [(elementwise()(ins, at)[0][0], ins[1].dtype)], np.where, _where_grad)


def _clip_ref(x, lo=None, hi=None):
    if lo is not None:
        x = np.maximum(x, lo)
    if hi is not None:
        x = np.minimum(x, hi)
    return np.asarray(x)


def _clip_grad(n, g):
    x, lo, hi = (n.inputs + [None, None])[:3]
    keep = None
    if lo is not None:
        keep = op.GreaterOrEqual(x, lo)
    if hi is not None:
        upper = op.LessOrEqual(x, hi)
        keep = upper if keep is None else op.And(keep, upper)
    grad = g[0] if keep is None else op.Where(keep, g[0], np.zeros((), x.dtype))
    return [grad] + [None] * (len(n.inputs) - 1)


defop("Clip", same_as(0), _clip_ref, _clip_grad)


def _cast_grad(n, g):
    src = n.inputs[0].dtype
    if src.kind != "f" or g[0] is None:
        return [None]
    return [op.Cast(g[0], to=NUMPY_TO_ONNX[src])]


defop("Cast", lambda ins, at: [(ins[0].shape, ONNX_TO_NUMPY[at["to"]])],
      lambda x, to: x.astype(ONNX_TO_NUMPY[to]), _cast_grad)
