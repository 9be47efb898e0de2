"""The op table shared by the gradient and reference tests, and the harness that runs one case.

A `Case` is one op applied to concrete inputs. Float arrays become graph inputs (and are
differentiated); `Const(...)` values and non-float arrays become constants; `Input(...)` forces a
non-float array to be a graph input; `None` is an omitted optional input. Inputs are drawn inside
each op's domain: positive for Log/Sqrt/Pow's base, away from 0 for Relu/Abs/Div, without ties
for Max/Min, away from the clip points for Clip/HardSigmoid.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field, replace

import numpy as np
from gradcheck import central_differences

from horn.compiler import OPS, Graph, gradients, op, optimize, to_onnx
from horn.runtime import Program

_rng = np.random.default_rng(20240601)

# ONNX Runtime's CPU EP has no double kernel for these ops: their cases run in float32.
NO_DOUBLE_KERNEL = {"Elu", "Selu", "LeakyRelu", "HardSigmoid", "Softplus", "Softsign", "Erf"}

# Ops whose outputs carry no gradient: their rules return None for every input.
NO_GRAD = {"Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Not",
           "Sign", "Floor", "ArgMax", "ArgMin", "Shape", "Size", "OneHot", "ConstantOfShape",
           "Range"}


@dataclass(frozen=True)
class Const:
    """An input that becomes a graph constant (float constants take the case's dtype)."""

    value: object


@dataclass(frozen=True)
class Input:
    """A non-float array fed as a graph input (not differentiated)."""

    value: np.ndarray


@dataclass
class Case:
    id: str
    op: str
    inputs: tuple
    attrs: dict = field(default_factory=dict)
    grad: bool = True  # part of the gradient table
    loss_outputs: tuple | None = None  # which outputs the loss reads (default: every float one)
    dtype: type | None = None  # None: float64, or float32 for ops in NO_DOUBLE_KERNEL
    dynamic: tuple = ()  # inputs whose axis 0 the graph declares dynamic (None)

    def __post_init__(self):
        if self.dtype is None:
            self.dtype = np.float32 if self.op in NO_DOUBLE_KERNEL else np.float64

    @property
    def param(self):
        import pytest

        return pytest.param(self, id=self.id)


# -- input draws ------------------------------------------------------------------------


def u(*shape, lo=-2.0, hi=2.0):
    return _rng.uniform(lo, hi, shape)


def pos(*shape):
    return _rng.uniform(0.5, 2.0, shape)


def away(*shape, gap=0.2):
    """Values with |x| in [gap, 2], random signs: no kinks of Relu/Abs/Sign nearby."""
    return _rng.uniform(gap, 2.0, shape) * _rng.choice([-1.0, 1.0], shape)


def grid(*shape, lo=-2.0, hi=2.0):
    """Evenly spread values in a random order (reaches every branch of piecewise ops)."""
    return _rng.permutation(np.linspace(lo, hi, int(np.prod(shape)))).reshape(shape)


def ints(*values):
    return np.array(values, np.int64)


# -- the table --------------------------------------------------------------------------

BROADCASTS = {  # id suffix -> (shape of a, shape of b)
    "same": ((3, 4), (3, 4)),
    "row": ((3, 4), (4,)),
    "col": ((3, 4), (3, 1)),
    "outer": ((3, 1), (1, 4)),
    "rank3": ((2, 3, 4), (3, 1)),
    "left-row": ((4,), (3, 4)),
}


def _binary_cases():
    cases = []
    for name in ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"]:
        for kind, (sa, sb) in BROADCASTS.items():
            if name == "Pow":
                a, b = pos(*sa), u(*sb)
            elif name == "Div":
                a, b = u(*sa), away(*sb, gap=0.5)
            elif name in ("Max", "Min"):  # no ties: a and b lie on grids 0.2 apart
                a = _rng.choice(np.arange(-2.0, 2.0, 0.4), sa)
                b = _rng.choice(np.arange(-1.8, 2.2, 0.4), sb)
            else:
                a, b = u(*sa), u(*sb)
            cases.append(Case(f"{name}-{kind}", name, (a, b)))
    cases.append(Case("Pow-const-exponent", "Pow", (away(3, 4), Const(3.0))))
    cases.append(Case("Pow-scalar-base", "Pow", (pos(), u(3, 4))))
    return cases


def _unary_cases():
    return [
        Case("Neg", "Neg", (u(3, 4),)),
        Case("Identity", "Identity", (u(3, 4),)),
        Case("Abs", "Abs", (away(3, 4),)),
        Case("Exp", "Exp", (u(3, 4),)),
        Case("Sin", "Sin", (u(3, 4) * 6 - 3,)),
        Case("Cos", "Cos", (u(3, 4) * 6 - 3,)),
        Case("Log", "Log", (pos(3, 4),)),
        Case("Sqrt", "Sqrt", (pos(3, 4),)),
        Case("Reciprocal", "Reciprocal", (away(3, 4, gap=0.5),)),
        Case("Erf", "Erf", (u(3, 4),)),
        Case("Relu", "Relu", (away(3, 4),)),
        Case("Sigmoid", "Sigmoid", (u(3, 4, lo=-4, hi=4),)),
        Case("Tanh", "Tanh", (u(3, 4),)),
        Case("Softplus", "Softplus", (u(3, 4, lo=-4, hi=4),)),
        Case("Softsign", "Softsign", (away(3, 4),)),
        Case("Elu", "Elu", (away(3, 4),)),
        Case("Elu-alpha", "Elu", (away(3, 4),), dict(alpha=0.5)),
        Case("Selu", "Selu", (away(3, 4),)),
        Case("Selu-alpha-gamma", "Selu", (away(3, 4),), dict(alpha=1.5, gamma=2.0)),
        Case("LeakyRelu", "LeakyRelu", (away(3, 4),)),
        Case("LeakyRelu-alpha", "LeakyRelu", (away(3, 4),), dict(alpha=0.3)),
        # alpha*x+beta leaves (0, 1) at x=-2.5 and x=2.5: the grid reaches both flat parts.
        Case("HardSigmoid", "HardSigmoid", (grid(3, 4, lo=-4.1, hi=4.3),)),
        Case("HardSigmoid-alpha-beta", "HardSigmoid", (grid(3, 4, lo=-3.1, hi=3.3),),
             dict(alpha=0.3, beta=0.4)),
    ] + [
        Case(f"{name}-axis{axis}", name, (u(2, 3, 4),), dict(axis=axis))
        for name in ["Softmax", "LogSoftmax"] for axis in (-1, 0, 1)
    ] + [
        Case("Cast-f32-to-f64", "Cast", (u(3, 4),), dict(to=11), dtype=np.float32),
        Case("Cast-f64-to-f64", "Cast", (u(3, 4),), dict(to=11)),
    ]


def _reduction_cases():
    cases = []
    for name in ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin"]:
        for axes in ([1], [0, 2], [-1]):
            for keep in (0, 1):
                tag = "_".join(map(str, axes)).replace("-", "m")
                cases.append(Case(f"{name}-axes{tag}-keep{keep}", name, (u(2, 3, 4), ints(*axes)),
                                  dict(keepdims=keep)))
        cases.append(Case(f"{name}-all-keep0", name, (u(2, 3, 4),), dict(keepdims=0)))
        cases.append(Case(f"{name}-all-keep1", name, (u(2, 3, 4),), dict(keepdims=1)))
    cases.append(Case("ReduceSum-noop-empty-axes", "ReduceSum", (u(2, 3),),
                      dict(noop_with_empty_axes=1)))
    return cases


def _linalg_cases():
    cases = [
        Case("MatMul-2d", "MatMul", (u(3, 4), u(4, 5))),
        Case("MatMul-3d-x-2d", "MatMul", (u(2, 3, 4), u(4, 5))),
        Case("MatMul-4d-x-2d", "MatMul", (u(2, 2, 3, 4), u(4, 5))),
        Case("MatMul-3d-x-3d", "MatMul", (u(2, 3, 4), u(2, 4, 5))),
        Case("MatMul-2d-x-3d", "MatMul", (u(3, 4), u(2, 4, 5))),
        Case("MatMul-batch-broadcast-b", "MatMul", (u(2, 3, 4), u(1, 4, 5))),
        Case("MatMul-batch-broadcast-a", "MatMul", (u(1, 3, 4), u(2, 4, 5))),
    ]
    m, k, n = 3, 4, 5
    for ta in (0, 1):
        for tb in (0, 1):
            a = u(k, m) if ta else u(m, k)
            b = u(n, k) if tb else u(k, n)
            cases.append(Case(f"Gemm-tA{ta}-tB{tb}", "Gemm", (a, b), dict(transA=ta, transB=tb)))
            cases.append(Case(f"Gemm-tA{ta}-tB{tb}-bias", "Gemm", (a, b, u(n)),
                              dict(transA=ta, transB=tb)))
            cases.append(Case(f"Gemm-tA{ta}-tB{tb}-alpha-beta-C", "Gemm", (a, b, u(m, n)),
                              dict(transA=ta, transB=tb, alpha=0.7, beta=1.3)))
    cases.append(Case("Gemm-C-omitted", "Gemm", (u(m, k), u(k, n), None), dict(alpha=0.5)))
    cases.append(Case("Gemm-bias-col", "Gemm", (u(m, k), u(k, n), u(m, 1)), dict(beta=0.5)))
    cases.append(Case("Gemm-bias-row2d", "Gemm", (u(m, k), u(k, n), u(1, n)), dict(alpha=2.0)))
    cases.append(Case("Gemm-bias-scalar", "Gemm", (u(m, k), u(k, n), u()), dict(beta=-1.5)))
    return cases


def _clip_x():
    # Keep x clear of the clip points -0.55 and 0.65.
    x = grid(3, 4, lo=-1.9, hi=1.9)
    return x + 0.05 * (np.abs(x + 0.55) < 0.05) + 0.05 * (np.abs(x - 0.65) < 0.05)


def _shape_cases():
    return [
        Case("Reshape-flatten", "Reshape", (u(2, 3, 4), ints(6, 4))),
        Case("Reshape-minus1", "Reshape", (u(2, 3, 4), ints(-1, 2))),
        Case("Reshape-zero-copies-dim", "Reshape", (u(2, 3, 4), ints(0, -1))),
        Case("Transpose-perm", "Transpose", (u(2, 3, 4),), dict(perm=[2, 0, 1])),
        Case("Transpose-default", "Transpose", (u(2, 3, 4),)),
        Case("Squeeze-axis", "Squeeze", (u(3, 1, 4), ints(1))),
        Case("Squeeze-negative-axes", "Squeeze", (u(1, 3, 1, 4), ints(0, -2))),
        Case("Squeeze-all-ones", "Squeeze", (u(3, 1, 4, 1),)),
        Case("Unsqueeze-axis", "Unsqueeze", (u(3, 4), ints(1))),
        Case("Unsqueeze-first-last", "Unsqueeze", (u(3, 4), ints(0, -1))),
        Case("Concat-axis0", "Concat", (u(2, 4), u(3, 4)), dict(axis=0)),
        Case("Concat-axis-last-three", "Concat", (u(3, 1), u(3, 2), u(3, 4)), dict(axis=-1)),
        Case("Split-axis1", "Split", (u(3, 4), ints(1, 3)), dict(axis=1)),
        Case("Split-three-way", "Split", (u(4, 3), ints(2, 1, 1)), dict(axis=0)),
        Case("Split-first-output-only", "Split", (u(4, 3), ints(1, 3)), dict(axis=0),
             loss_outputs=(0,)),
        Case("Split-last-output-only", "Split", (u(2, 5), ints(2, 3)), dict(axis=1),
             loss_outputs=(1,)),
        Case("Expand-col-rank3", "Expand", (u(3, 1), ints(2, 3, 4))),
        Case("Expand-row", "Expand", (u(4), ints(3, 4))),
        Case("Expand-ones-in-target", "Expand", (u(3, 4), ints(1, 1))),
        Case("Where-row", "Where", (u(3, 4) > 0, u(3, 4), u(4))),
        Case("Where-outer", "Where", (u(3, 1) > 0, u(1, 4), u(3, 4))),
        Case("Clip-min-max", "Clip", (_clip_x(), Const(-0.55), Const(0.65))),
        Case("Clip-min-only", "Clip", (_clip_x(), Const(-0.55))),
        Case("Clip-max-only", "Clip", (_clip_x(), None, Const(0.65))),
        Case("Clip-none", "Clip", (_clip_x(),)),
    ]


# Ops without gradients: only checked against onnxruntime by the reference test.
def _no_grad_cases():
    a = u(3, 4)
    b = np.where(_rng.random((3, 4)) < 0.4, a, u(3, 4))  # some equal elements
    p, q = u(3, 4) > 0, u(3, 4) > 0
    cases = [Case(f"{n}", n, (a, b), grad=False)
             for n in ["Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"]]
    cases += [
        Case("Greater-broadcast", "Greater", (a, u(4)), grad=False),
        Case("And", "And", (Input(p), Input(q)), grad=False),
        Case("Or", "Or", (Input(p), Input(q[:1])), grad=False),
        Case("Not", "Not", (Input(p),), grad=False),
        Case("Sign", "Sign", (np.concatenate([u(8), [0.0]]),), grad=False),
        Case("Floor", "Floor", (u(3, 4, lo=-5, hi=5),), grad=False),
        Case("ArgMax-axis1", "ArgMax", (u(3, 4, 2),), dict(axis=1, keepdims=0), grad=False),
        Case("ArgMax-default", "ArgMax", (u(3, 4),), grad=False),
        Case("ArgMin-axis-last-keep", "ArgMin", (u(3, 4),), dict(axis=-1, keepdims=1), grad=False),
        Case("ArgMax-ties-first", "ArgMax", (np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]),),
             dict(axis=1), grad=False),
        Case("ArgMax-ties-last", "ArgMax", (np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]),),
             dict(axis=1, select_last_index=1), grad=False),
        Case("ArgMin-ties-last", "ArgMin", (np.array([[1.0, 0.0, 0.0], [-2.0, 5.0, -2.0]]),),
             dict(axis=-1, keepdims=0, select_last_index=1), grad=False),
        Case("Reshape-allowzero", "Reshape", (np.zeros((2, 0)), ints(0, 2)), dict(allowzero=1),
             grad=False),
        Case("Shape", "Shape", (u(2, 3, 4),), grad=False),
        Case("Shape-start-end", "Shape", (u(2, 3, 4),), dict(start=1, end=-1), grad=False),
        Case("Shape-end", "Shape", (u(2, 3, 4),), dict(end=1), grad=False),
        Case("Size", "Size", (u(2, 3, 4),), grad=False),
        # onnxruntime's OneHot has float32 but no float64 values with int64 indices.
        Case("OneHot", "OneHot", (Input(ints(0, 2, -1, 1)), ints(3), Const(np.array([0.0, 1.0]))),
             dtype=np.float32, grad=False),
        Case("OneHot-axis0", "OneHot", (Input(ints(0, 2, 1, 3, 0, 1).reshape(2, 3)), ints(4),
                                        Const(np.array([-1.0, 2.0]))), dict(axis=0),
             dtype=np.float32, grad=False),
        Case("ConstantOfShape", "ConstantOfShape", (ints(2, 3),),
             dict(value=np.array([1.5], np.float32)), grad=False),
        Case("ConstantOfShape-default", "ConstantOfShape", (ints(3, 1),), grad=False),
        Case("ConstantOfShape-int", "ConstantOfShape", (ints(4),), dict(value=np.array([7], np.int64)),
             grad=False),
        # (a run-time limit gives shape (None,): test_row_sparse_updates runs that form in row_totals)
        Case("Range", "Range", (np.array(0, np.int64), np.array(7, np.int64), np.array(2, np.int64)),
             grad=False),
        Case("Range-descending", "Range", (np.array(5, np.int64), np.array(-2, np.int64),
                                            np.array(-3, np.int64)), grad=False),
        Case("Dropout-inference", "Dropout", (u(3, 4),), grad=False),
        Case("Dropout-training-off", "Dropout", (u(3, 4), Const(0.3), np.array(False)), grad=False),
        Case("Cast-f64-to-f32", "Cast", (u(3, 4),), dict(to=1), grad=False),
        Case("Cast-f32-to-int64", "Cast", (u(3, 4, lo=-5, hi=5),), dict(to=7), dtype=np.float32,
             grad=False),
        Case("Div-int64", "Div", (Input(ints(7, -8, 9)), Input(ints(2, 3, 4))), grad=False),
    ]
    return cases


GRAD_CASES = _binary_cases() + _unary_cases() + _reduction_cases() + _linalg_cases() + _shape_cases()

# Cases rerun with the first input's axis 0 declared dynamic (None): the rules' code paths
# for unknown batch sizes (Shape-driven Expand/Reshape, run-time counts in ReduceMean...).
_DYNAMIC = ["Add-row", "Mul-col", "Sub-rank3", "Div-same", "Softmax-axis1", "LogSoftmax-axis-1",
            "ReduceMean-axes1-keep0", "ReduceMean-axes0_2-keep1", "ReduceMean-all-keep0",
            "ReduceSum-axes0_2-keep0", "ReduceMax-axes1-keep1", "MatMul-3d-x-2d", "MatMul-2d",
            "MatMul-3d-x-3d", "Gemm-tA0-tB1-bias", "Reshape-minus1", "Reshape-zero-copies-dim",
            "Transpose-perm", "Squeeze-axis", "Unsqueeze-first-last", "Concat-axis-last-three",
            "Split-axis1", "Where-row", "Clip-min-max", "Relu", "Tanh"]
DYNAMIC_CASES = [replace(c, id=f"{c.id}-dynamic-batch", dynamic=(0,))
                 for c in GRAD_CASES if c.id in _DYNAMIC]
assert len(DYNAMIC_CASES) == len(_DYNAMIC), "a dynamic-batch case names no case of the table"
ALL_CASES = GRAD_CASES + _no_grad_cases()


# -- Gather, GatherND, ScatterND (opdefs/gather.py) ----------------------------------------
# Indices repeat (the gradient must add, not overwrite) and include negative ones.
def _gather_cases():
    dup = np.array([[1, -1, 1, 0], [4, 1, 1, 2]])
    return [
        Case("Gather-axis0-dup", "Gather", (u(5, 3), dup)),
        Case("Gather-axis0-int32", "Gather", (u(5, 3), np.array([3, 0, 3, -2], np.int32))),
        Case("Gather-axis1", "Gather", (u(2, 5, 3), ints(4, 0, 4, -1)), dict(axis=1)),
        Case("Gather-axis-last-2d-indices", "Gather", (u(2, 3, 4), ints(3, 3, 0, 1, 2, 3).reshape(2, 3)),
             dict(axis=-1)),
        Case("Gather-scalar-index", "Gather", (u(4, 3), np.array(2, np.int64)), dict(axis=0)),
        Case("GatherND-rows", "GatherND", (u(4, 3, 2), ints(1, 3, 1, -1).reshape(4, 1))),
        Case("GatherND-elements", "GatherND", (u(4, 3), ints(0, 2, 3, 1, 0, 2).reshape(3, 2))),
        Case("ScatterND-add-dup", "ScatterND", (u(4, 3), ints(2, 0, 2, -1, 2).reshape(5, 1), u(5, 3)),
             dict(reduction="add")),
        Case("ScatterND-add-elements", "ScatterND", (u(3, 4), ints(0, 1, 2, 3, 0, 1).reshape(3, 2), u(3)),
             dict(reduction="add")),
        Case("ScatterND-none", "ScatterND", (u(4, 3), ints(2, 0).reshape(2, 1), u(2, 3))),
        Case("ScatterND-none-elements", "ScatterND", (u(3, 4), ints(0, 1, 2, 3).reshape(2, 2), u(2))),
    ]


_GATHER = _gather_cases()
_GATHER_DYNAMIC = ["Gather-axis0-dup", "Gather-axis1", "Gather-axis-last-2d-indices", "GatherND-rows",
                   "ScatterND-add-dup"]
GRAD_CASES += _GATHER
DYNAMIC_CASES += [replace(c, id=f"{c.id}-dynamic-batch", dynamic=(0,))
                  for c in _GATHER if c.id in _GATHER_DYNAMIC]
ALL_CASES += _GATHER


# -- Conv, ConvTranspose (opdefs/conv.py), Slice (opdefs/slicing.py) -------------------------
# onnxruntime's CPU EP runs Conv and ConvTranspose in float32 only. Sizes are odd and even so
# that strides leave rows unread (Conv) and need output_padding (its input gradient).
def _conv(id_, x, w, b=None, **attrs):
    return Case(f"Conv-{id_}", "Conv", (x, w) if b is None else (x, w, b), attrs, dtype=np.float32)


def _convt(id_, x, w, b=None, **attrs):
    return Case(f"ConvTranspose-{id_}", "ConvTranspose", (x, w) if b is None else (x, w, b), attrs,
                dtype=np.float32)


def _conv_cases():
    return [
        _conv("1d", u(2, 3, 9), u(4, 3, 3), u(4)),
        _conv("1d-s2-d2-asym-pads", u(2, 2, 11), u(3, 2, 3), strides=[2], dilations=[2], pads=[2, 1]),
        _conv("2d-s2-p1-odd", u(2, 3, 7, 7), u(4, 3, 3, 3), u(4), strides=[2, 2], pads=[1, 1, 1, 1]),
        _conv("2d-s2-p1-even", u(2, 3, 8, 8), u(4, 3, 3, 3), strides=[2, 2], pads=[1, 1, 1, 1]),
        _conv("2d-asym-pads-dilation", u(1, 2, 9, 7), u(3, 2, 2, 3), strides=[2, 1],
              pads=[1, 0, 2, 1], dilations=[2, 1]),
        _conv("2d-s3-skips-rows", u(1, 2, 8, 7), u(2, 2, 2, 2), strides=[3, 3]),
        _conv("2d-group2", u(2, 4, 6, 5), u(6, 2, 3, 3), u(6), strides=[1, 2], group=2),
        _conv("2d-depthwise-dm2", u(2, 3, 6, 6), u(6, 1, 3, 3), u(6), pads=[1, 1, 1, 1], group=3),
        _conv("2d-depthwise-s2-d2", u(1, 4, 11, 10), u(4, 1, 3, 2), strides=[2, 3],
              pads=[1, 0, 2, 1], dilations=[2, 1], group=4),
        Case("Conv-2d-bias-omitted", "Conv", (u(1, 2, 5, 5), u(3, 2, 3, 3), None), dtype=np.float32),
        _conv("2d-same-upper", u(1, 2, 6, 5), u(3, 2, 3, 3), strides=[2, 2], auto_pad="SAME_UPPER"),
        _conv("2d-1x1", u(2, 3, 4, 5), u(5, 3, 1, 1), u(5)),
        _conv("2d-s1-p1-odd", u(2, 3, 7, 6), u(4, 3, 3, 3), u(4), pads=[1, 1, 1, 1]),
        _conv("2d-s2-asym-pads-5x3", u(2, 2, 9, 8), u(3, 2, 5, 3), strides=[2, 2],
              pads=[2, 0, 1, 2]),
        _conv("2d-s2-1x2-odd", u(3, 2, 5, 7), u(2, 2, 1, 2), strides=[2, 2], pads=[0, 1, 0, 0]),
        # The one-hot im2col of dW with dilation and uneven pads at stride 1; a pad as wide as
        # the kernel; a 3-D stride-1 conv.
        _conv("2d-s1-dilation-asym-pads", u(2, 3, 9, 8), u(4, 3, 3, 2), u(4), dilations=[2, 1],
              pads=[3, 0, 1, 1]),
        _conv("2d-1x1-p1", u(2, 3, 4, 3), u(2, 3, 1, 1), pads=[1, 0, 1, 1]),
        _conv("3d-s1-p1", u(1, 2, 4, 5, 3), u(3, 2, 3, 2, 2), u(3), pads=[1, 0, 1, 1, 1, 0]),
        _conv("3d", u(1, 2, 5, 4, 5), u(2, 2, 2, 3, 2), u(2), strides=[2, 1, 2],
              pads=[1, 0, 1, 0, 1, 1]),
        _conv("3d-group-dilation", u(1, 4, 5, 5, 4), u(4, 2, 2, 2, 2), dilations=[2, 1, 1], group=2),
        _convt("1d", u(2, 3, 5), u(3, 2, 3), u(2)),
        _convt("1d-s2-op1-d2", u(1, 2, 5), u(2, 3, 3), strides=[2], output_padding=[1],
               dilations=[2], pads=[1, 2]),
        _convt("2d-s2-p1-op1", u(2, 3, 4, 4), u(3, 2, 3, 3), u(2), strides=[2, 2],
               pads=[1, 1, 1, 1], output_padding=[1, 1]),
        _convt("2d-asym", u(1, 2, 4, 3), u(2, 3, 2, 3), strides=[2, 3], pads=[1, 0, 0, 2],
               output_padding=[0, 2], dilations=[1, 2]),
        _convt("2d-op-past-end-pad", u(1, 2, 3, 4), u(2, 2, 3, 2), strides=[3, 2],
               output_padding=[2, 1]),
        _convt("2d-group2", u(2, 4, 3, 4), u(4, 3, 3, 2), u(6), strides=[2, 2], group=2),
        _convt("2d-depthwise", u(1, 3, 4, 4), u(3, 1, 3, 3), pads=[1, 1, 1, 1], group=3),
        _convt("3d", u(1, 2, 3, 3, 2), u(2, 2, 2, 3, 2), u(2), strides=[2, 1, 2],
               pads=[0, 1, 1, 1, 0, 0], output_padding=[1, 0, 0]),
    ]


def _slice(id_, x, starts, ends, axes=None, steps=None):
    ins = (x, ints(*starts), ints(*ends)) + (() if axes is None else (ints(*axes),)) + \
        (() if steps is None else (ints(*steps),))
    return Case(f"Slice-{id_}", "Slice", ins)


def _slice_cases():
    big = np.iinfo(np.int64).max
    return [
        _slice("default-axes", u(5, 6), [1, 0], [4, 5]),
        _slice("negative-indices", u(3, 7), [-4], [-1], [-1]),
        _slice("clamped", u(4, 5), [-10, 2], [100, big], [0, 1]),
        _slice("step2", u(4, 7), [1], [6], [1], [2]),
        _slice("step3-tail", u(3, 8), [0], [8], [1], [3]),
        _slice("reverse", u(5, 4), [-1], [-big], [0], [-1]),
        _slice("step-minus2", u(3, 7), [5], [0], [1], [-2]),
        _slice("3d-mixed", u(2, 5, 6), [4, 1], [0, 6], [1, 2], [-1, 2]),
        _slice("empty", u(3, 4), [3], [1], [1]),
        _slice("all-of-axis0", u(3, 5), [0, 1], [big, 4], [0, 1]),
        _slice("reverse-axis0", u(3, 4), [-1], [-big], [0], [-1]),
        Case("Pad-constant", "Pad", (u(3, 4), ints(1, 0, 2, 3))),
        Case("Pad-negative-crops", "Pad", (u(4, 5), ints(-1, 2, 1, -2))),
        Case("Pad-axes-value", "Pad", (u(2, 3, 4), ints(1, 2), Const(1.5), ints(-1))),
        Case("Pad-value-input", "Pad", (u(3, 4), ints(0, 1, 2, 0), u())),
    ]


def _pad_modes():  # no gradient outside constant mode: reference checks only
    x = u(3, 4)
    return [Case(f"Pad-{mode}", "Pad", (x, ints(2, 1, 1, -1)), dict(mode=mode), grad=False)
            for mode in ("reflect", "edge", "wrap")]


_CONV = _conv_cases() + _slice_cases()
_CONV_DYNAMIC = ["Conv-2d-s2-p1-odd", "Conv-2d-s1-p1-odd", "Conv-2d-s1-dilation-asym-pads",
                 "Conv-2d-s2-asym-pads-5x3", "Conv-2d-group2", "Conv-2d-depthwise-dm2", "Conv-3d",
                 "ConvTranspose-2d-s2-p1-op1", "ConvTranspose-2d-group2", "Slice-step2",
                 "Slice-step-minus2", "Slice-all-of-axis0", "Slice-reverse-axis0"]
GRAD_CASES += _CONV
DYNAMIC_CASES += [replace(c, id=f"{c.id}-dynamic-batch", dynamic=(0,))
                  for c in _CONV if c.id in _CONV_DYNAMIC]
ALL_CASES += _CONV + _pad_modes()


# -- MaxPool, AveragePool (opdefs/pooling.py), Resize (opdefs/resize.py), RandomUniformLike --------
# Max-pool inputs are shuffled grids (distinct values): finite differences then see one maximum
# per window. Ties have their own tests (tests/compiler/test_pooling.py). onnxruntime's CPU EP
# has no double AveragePool or Resize: their cases run in float32.
def _max_pool(id_, x, **attrs):
    return Case(f"MaxPool-{id_}", "MaxPool", (x,), attrs)


def _avg_pool(id_, x, **attrs):
    return Case(f"AveragePool-{id_}", "AveragePool", (x,), attrs, dtype=np.float32)


def _resize(id_, x, scales=None, sizes=None, **attrs):
    ins = (x, None, None if scales is None else Const(np.array(scales, np.float32)))
    ins += () if sizes is None else (ints(*sizes),)
    return Case(f"Resize-{id_}", "Resize", ins, attrs, dtype=np.float32)


def _pool_cases():
    return [
        _max_pool("1d-k2-s2-tail", grid(2, 3, 7), kernel_shape=[2], strides=[2]),
        _max_pool("1d-k3-s1-pads", grid(2, 2, 6), kernel_shape=[3], pads=[1, 1]),
        _max_pool("2d-k2-s2", grid(2, 3, 4, 6), kernel_shape=[2, 2], strides=[2, 2]),
        _max_pool("2d-k3-s2-pads", grid(2, 2, 7, 6), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        _max_pool("2d-asym", grid(1, 2, 7, 8), kernel_shape=[3, 2], strides=[2, 3], pads=[0, 1, 1, 0]),
        _max_pool("2d-dilation-ceil", grid(1, 2, 7, 6), kernel_shape=[2, 2], strides=[2, 2],
                  dilations=[2, 1], ceil_mode=1),
        _max_pool("2d-same-upper", grid(1, 2, 5, 6), kernel_shape=[2, 3], strides=[2, 2],
                  auto_pad="SAME_UPPER"),
        _max_pool("3d-k2-s2", grid(1, 2, 4, 5, 4), kernel_shape=[2, 2, 2], strides=[2, 2, 2]),
        _max_pool("3d-overlap", grid(1, 2, 4, 4, 5), kernel_shape=[2, 3, 2], strides=[1, 2, 2],
                  pads=[0, 1, 0, 1, 1, 0]),
        _avg_pool("1d-k2-s2-tail", u(2, 3, 7), kernel_shape=[2], strides=[2]),
        _avg_pool("1d-k3-pads", u(2, 2, 6), kernel_shape=[3], pads=[1, 1]),
        _avg_pool("2d-k2-s2", u(2, 3, 4, 6), kernel_shape=[2, 2], strides=[2, 2]),
        _avg_pool("2d-k2-s3-tail", u(1, 2, 5, 7), kernel_shape=[2, 3], strides=[2, 3]),
        _avg_pool("2d-k3-s2-pads", u(2, 2, 7, 6), kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]),
        _avg_pool("2d-k3-s2-pads-counted", u(2, 2, 7, 6), kernel_shape=[3, 3], strides=[2, 2],
                  pads=[1, 0, 1, 1], count_include_pad=1),
        _avg_pool("2d-ceil", u(1, 2, 5, 5), kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1),
        _avg_pool("2d-ceil-pads-counted", u(1, 2, 5, 6), kernel_shape=[3, 3], strides=[2, 2],
                  pads=[1, 1, 1, 0], ceil_mode=1, count_include_pad=1),
        _avg_pool("2d-dilation", u(1, 2, 7, 7), kernel_shape=[2, 2], dilations=[2, 2], pads=[1, 0, 1, 0]),
        _avg_pool("3d-k2-s2", u(1, 2, 4, 4, 6), kernel_shape=[2, 2, 3], strides=[2, 2, 3]),
        _avg_pool("3d-overlap", u(1, 2, 4, 5, 3), kernel_shape=[2, 3, 2], strides=[1, 2, 1],
                  pads=[1, 1, 0, 0, 1, 1]),
        _resize("nearest-x2-nchw", u(2, 3, 3, 4), [1, 1, 2, 2], mode="nearest",
                coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        _resize("nearest-nhwc-x3x2", u(2, 3, 2, 2), [1, 3, 2, 1], mode="nearest",
                coordinate_transformation_mode="asymmetric", nearest_mode="floor"),
        _resize("nearest-half-pixel-sizes", u(1, 2, 4, 5), sizes=[1, 2, 7, 3], mode="nearest"),
        _resize("linear-half-pixel-x2", u(2, 2, 3, 4), [1, 1, 2, 2], mode="linear"),
        _resize("linear-half-pixel-sizes", u(1, 2, 5, 4), sizes=[1, 2, 7, 3], mode="linear"),
        _resize("linear-align-corners", u(1, 2, 3, 4), [1, 1, 2, 1.5], mode="linear",
                coordinate_transformation_mode="align_corners"),
        _resize("linear-1d-asymmetric", u(2, 3, 5), [1, 1, 3], mode="linear",
                coordinate_transformation_mode="asymmetric"),
        _resize("linear-nhwc", u(2, 3, 4, 2), [1, 2, 2, 1], mode="linear",
                coordinate_transformation_mode="pytorch_half_pixel"),
    ]


def _unpool_indices(x, **attrs):
    """Where MaxPool of x (disjoint windows) found each maximum: distinct flat indices."""
    return op.MaxPool(x, storage_order=0, **attrs)[1]


def _unpool_cases():
    """MaxUnpool (the MaxPool gradient for disjoint windows); float32: no double kernel."""
    x1, x2, x3 = grid(2, 3, 5), grid(2, 2, 5, 6), grid(1, 2, 4, 4, 6)
    k1, k2, k3 = dict(kernel_shape=[2], strides=[3]), dict(kernel_shape=[2, 2], strides=[2, 2]), \
        dict(kernel_shape=[2, 2, 3], strides=[2, 2, 3])
    return [
        Case("MaxUnpool-1d-default-shape", "MaxUnpool", (u(2, 3, 2), _unpool_indices(x1, **k1)), k1,
             dtype=np.float32),
        Case("MaxUnpool-2d-output-shape", "MaxUnpool", (u(2, 2, 2, 3), _unpool_indices(x2, **k2), ints(*x2.shape)),
             k2, dtype=np.float32),
        Case("MaxUnpool-3d-output-shape", "MaxUnpool", (u(1, 2, 2, 2, 2), _unpool_indices(x3, **k3), ints(*x3.shape)),
             k3, dtype=np.float32),
    ]


def _pool_reference_cases():
    """No gradient: the Indices output (ties included: the first maximum wins, as on onnxruntime),
    and RandomUniformLike with low == high, RandomNormalLike with a negligible scale (the only draws
    both numpy and onnxruntime agree on)."""
    ties = np.round(u(2, 3, 6, 7) * 2) / 2
    return [
        Case("MaxPool-indices-ties", "MaxPool", (ties,), dict(kernel_shape=[3, 2], strides=[2, 2],
                                                             pads=[1, 0, 1, 1], storage_order=0), grad=False),
        Case("MaxPool-indices-3d-dilation", "MaxPool", (np.round(u(1, 2, 5, 4, 6)),),
             dict(kernel_shape=[2, 2, 2], dilations=[2, 1, 2], storage_order=0), grad=False),
        Case("AveragePool-dilation-ceil", "AveragePool", (u(1, 2, 8, 7),),
             dict(kernel_shape=[3, 2], strides=[2, 2], dilations=[2, 1], pads=[1, 1, 0, 1], ceil_mode=1),
             dtype=np.float32, grad=False),
        Case("RandomUniformLike-fixed", "RandomUniformLike", (u(3, 4),), dict(low=0.5, high=0.5, seed=3.0),
             grad=False),
        Case("RandomUniformLike-dtype", "RandomUniformLike", (u(2, 3),), dict(low=-1.0, high=-1.0, dtype=1),
             grad=False),
        # RandomNormalLike with a scale far below the mean's rounding step (onnxruntime aborts on
        # scale 0): every draw rounds to the mean, on numpy and onnxruntime alike.
        Case("RandomNormalLike-fixed", "RandomNormalLike", (u(3, 4),), dict(mean=0.5, scale=1e-30, seed=3.0),
             grad=False),
        Case("RandomNormalLike-dtype", "RandomNormalLike", (u(2, 3),), dict(mean=-1.0, scale=1e-30, dtype=1),
             grad=False),
    ]


_POOL = _pool_cases()
_POOL_DYNAMIC = ["MaxPool-2d-k2-s2", "MaxPool-2d-k3-s2-pads", "MaxPool-1d-k3-s1-pads", "AveragePool-2d-k2-s2",
                 "AveragePool-2d-k3-s2-pads", "AveragePool-2d-k2-s3-tail", "Resize-nearest-x2-nchw",
                 "Resize-linear-half-pixel-x2"]
NO_GRAD |= {"RandomUniformLike", "RandomNormalLike"}
GRAD_CASES += _POOL + _unpool_cases()
DYNAMIC_CASES += [replace(c, id=f"{c.id}-dynamic-batch", dynamic=(0,)) for c in _POOL if c.id in _POOL_DYNAMIC]
ALL_CASES += _POOL + _unpool_cases() + _pool_reference_cases()


# -- LSTM, GRU, RNN, ReverseSequence (opdefs/recurrent.py) ----------------------------------------
# The fused recurrent ops are inference-only (no gradient rule) and onnxruntime's CPU EP runs them
# in float32 only: reference checks, with sequence_lens (a zero length too), initial states,
# every direction, clip, peepholes, input_forget and activations that take alpha/beta.
# (Softplus is left out: onnxruntime's recurrent Softplus overflows to inf above 88.)
INFERENCE_ONLY = {"LSTM", "GRU", "RNN"}


def _recurrent(op, gates, dirs=1, extra=(), hidden=6, **attrs):
    t, b, i = 4, 3, 5
    ins = (u(t, b, i, lo=-1, hi=1), u(dirs, gates * hidden, i, lo=-1, hi=1),
           u(dirs, gates * hidden, hidden, lo=-1, hi=1)) + extra
    tag = "-".join(f"{k}={v}" for k, v in attrs.items() if k != "activations") or "default"
    return Case(f"{op}-{tag}-{len(extra)}extra", op, ins, dict(hidden_size=hidden, **attrs), dtype=np.float32,
                grad=False)


def _recurrent_cases():
    h, b = 6, 3
    lens = np.array([4, 2, 0], np.int32)
    return [
        _recurrent("LSTM", 4),
        _recurrent("LSTM", 4, direction="reverse"),
        _recurrent("LSTM", 4, 2, direction="bidirectional"),
        _recurrent("LSTM", 4, extra=(u(1, 8 * h), lens, u(1, b, h), u(1, b, h), u(1, 3 * h))),
        _recurrent("LSTM", 4, direction="reverse", extra=(u(1, 8 * h), np.array([4, 2, 1], np.int32),
                                                          u(1, b, h), u(1, b, h))),
        _recurrent("LSTM", 4, activations=["HardSigmoid", "Tanh", "Affine"], activation_alpha=[1 / 6, 0.7],
                   activation_beta=[0.5, 0.1]),
        _recurrent("LSTM", 4, clip=0.5),
        _recurrent("LSTM", 4, input_forget=1),
        _recurrent("GRU", 3),
        _recurrent("GRU", 3, linear_before_reset=1, extra=(u(1, 6 * h),)),
        _recurrent("GRU", 3, extra=(u(1, 6 * h), np.array([1, 4, 3], np.int32), u(1, b, h))),
        _recurrent("GRU", 3, 2, direction="bidirectional", activations=["Sigmoid", "Relu", "HardSigmoid",
                                                                         "Softsign"],
                   activation_alpha=[0.2], activation_beta=[0.5]),
        _recurrent("RNN", 1),
        _recurrent("RNN", 1, direction="reverse", activations=["Elu"], activation_alpha=[0.5],
                   extra=(u(1, 2 * h), np.array([4, 2, 1], np.int32), u(1, b, h))),
        _recurrent("RNN", 1, 2, direction="bidirectional", activations=["LeakyRelu", "ScaledTanh"],
                   activation_alpha=[0.3, 0.8], activation_beta=[1.2]),
        _recurrent("RNN", 1, activations=["ThresholdedRelu"], activation_alpha=[0.2]),
    ]


_REVERSE_SEQUENCE = [
    Case("ReverseSequence-time0", "ReverseSequence", (u(4, 3, 2), ints(4, 1, 3))),
    Case("ReverseSequence-batch0-time1", "ReverseSequence", (u(2, 5, 3), ints(5, 2)),
         dict(batch_axis=0, time_axis=1)),
]
GRAD_CASES += _REVERSE_SEQUENCE
ALL_CASES += _recurrent_cases() + _REVERSE_SEQUENCE


# -- the harness ------------------------------------------------------------------------


@dataclass
class Built:
    graph: Graph
    feeds: list  # arrays for the graph inputs, in order
    outputs: tuple  # the op's output values
    float_args: list  # positions (in case.inputs) of the differentiated inputs


def build(case: Case) -> Built:
    """A graph holding one `case.op` node; float inputs are graph inputs in case.dtype."""
    g = Graph(case.id.replace("-", "_"))
    args, feeds, float_args = [], [], []
    for i, x in enumerate(case.inputs):
        if x is None:
            args.append(None)
        elif isinstance(x, Const):
            c = np.asarray(x.value)
            args.append(c.astype(case.dtype) if c.dtype.kind == "f" else c)
        elif isinstance(x, Input):
            args.append(g.input(x.value.shape, x.value.dtype, f"in{i}"))
            feeds.append(x.value)
        elif np.asarray(x).dtype.kind == "f":
            shape = np.shape(x)
            if i in case.dynamic:
                shape = (None,) + shape[1:]
            args.append(g.input(shape, case.dtype, f"in{i}"))
            feeds.append(np.asarray(x, case.dtype))
            float_args.append(i)
        else:
            args.append(np.asarray(x))
    with g.building():
        out = getattr(op, case.op)(*args, **case.attrs)
    return Built(g, feeds, out if isinstance(out, tuple) else (out,), float_args)


def run(graph: Graph, feeds, names):
    graph.output_names = list(names)
    return Program(to_onnx(graph).SerializeToString())(*feeds)


def reference(case: Case, float_values=None):
    """OPS[op].reference on the case's inputs (float inputs replaced by float_values if given)."""
    opdef = OPS[case.op]
    values = iter(float_values) if float_values is not None else None
    args = []
    for x in case.inputs:
        if x is None:
            args.append(None)
        elif isinstance(x, (Const, Input)):
            v = np.asarray(x.value)
            args.append(v.astype(case.dtype) if isinstance(x, Const) and v.dtype.kind == "f" else v)
        elif np.asarray(x).dtype.kind == "f":
            args.append(next(values) if values is not None else np.asarray(x, case.dtype))
        else:
            args.append(np.asarray(x))
    out = opdef.reference(*args, **{**opdef.defaults, **case.attrs})
    return out if isinstance(out, tuple) else (out,)


def seed_of(case: Case):
    return zlib.crc32(case.id.encode())


def loss_weights(case: Case, outputs):
    """Fixed random weights for each output the loss reads: loss = sum_k sum(out_k * w_k)."""
    rng = np.random.default_rng(seed_of(case))
    picks = case.loss_outputs if case.loss_outputs is not None else \
        tuple(k for k, o in enumerate(outputs) if o.dtype.kind == "f")
    shapes = [np.shape(r) for r in reference(case)]  # concrete, also where the graph has None
    return {k: rng.standard_normal(shapes[k]) for k in picks}


def gradient_program(case: Case, optimized: bool):
    """Loss and d loss / d (each float input), from horn's rules, run on onnxruntime."""
    b = build(case)
    g = b.graph
    weights = loss_weights(case, b.outputs)
    with g.building():
        terms = [op.ReduceSum(op.Mul(b.outputs[k], w.astype(b.outputs[k].dtype)), keepdims=0)
                 for k, w in weights.items()]
        loss = terms[0]
        for t in terms[1:]:
            loss = op.Add(loss, t)
    grads = gradients(g, loss, g.inputs)
    missing = [v.name for v, d in zip(g.inputs, grads) if d is None]
    assert not missing, f"{case.op} gave no gradient for {missing}"
    g.outputs = [loss, *grads]
    if optimized:
        g = optimize(g, verify=True)
    else:
        g.verify()
    result = run(g, b.feeds, ["loss"] + [f"d_{v.name}" for v in b.graph.inputs])
    return result[0], result[1:], weights, b


def finite_differences(case: Case, weights, eps=1e-6):
    """Central differences of the weighted loss, on the op's numpy reference in float64."""
    base = [np.asarray(x, np.float64) for x in case.inputs
            if x is not None and not isinstance(x, (Const, Input)) and np.asarray(x).dtype.kind == "f"]
    case64 = Case(case.id, case.op, case.inputs, case.attrs, dtype=np.float64)

    def f(values):
        outs = reference(case64, values)
        return sum(float(np.sum(np.asarray(outs[k], np.float64) * w)) for k, w in weights.items())

    return f(base), central_differences(f, base, eps)


# -- GridSample (opdefs/grid_sample.py) ------------------------------------------------------------
# Forward only (no gradient rule): reference checks of each mode, padding mode and align_corners,
# with grid points inside and outside the image (several reflection periods out, too). Random
# points: no ties for 'nearest' rounding. onnxruntime's CPU EP runs GridSample in float32 here.
def _grid_sample_cases():
    x = u(2, 3, 4, 5)
    near = _rng.uniform(-1.4, 1.4, (2, 3, 6, 2))
    far = _rng.uniform(-4.0, 4.0, (2, 5, 3, 2))
    cases = []
    for mode in ("linear", "nearest"):
        for padding in ("zeros", "border", "reflection"):
            for align in (0, 1):
                attrs = dict(mode=mode, padding_mode=padding, align_corners=align)
                cases.append(Case(f"GridSample-{mode}-{padding}-align{align}", "GridSample", (x, Const(near)),
                                  attrs, grad=False, dtype=np.float32))
            cases.append(Case(f"GridSample-{mode}-{padding}-far", "GridSample", (x, Const(far)),
                              dict(mode=mode, padding_mode=padding), grad=False, dtype=np.float32))
    return cases


# Forward only, and asking for its gradient raises (a weight before it would silently stop learning)
GRADIENT_REFUSED = {"GridSample"}
ALL_CASES += _grid_sample_cases()
