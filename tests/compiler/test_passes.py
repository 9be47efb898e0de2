"""Each pass: `changed` is True exactly when its pattern is present, the graph verifies afterwards,
and onnxruntime computes the same outputs before and after."""

import numpy as np
import pytest

from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.compiler.passes import DEFAULT_PASSES
from horn.compiler.passes.cse import eliminate_common_subexpressions
from horn.compiler.passes.dce import eliminate_dead_code
from horn.compiler.passes.fold import fold_constants
from horn.compiler.passes.gemm import fuse_gemm
from horn.compiler.passes.simplify import simplify
from horn.runtime import Program

RNG = np.random.default_rng(7)
X = RNG.standard_normal((5, 4)).astype(np.float32)
W = RNG.standard_normal((4, 3)).astype(np.float32)
B = RNG.standard_normal(3).astype(np.float32)


def _run(graph, feeds):
    graph.output_names = [f"out{i}" for i in range(len(graph.outputs))]
    return Program(to_onnx(graph).SerializeToString())(*feeds)


def op_types(graph):
    return sorted(n.op_type for n in graph.nx)


def apply_pass(pass_fn, build, feeds=(X,)):
    """Run `pass_fn` on the graph from `build(g, *inputs)`; check verify() and equal outputs."""
    g = Graph("t")
    ins = [g.input(f.shape, f.dtype, f"in{i}") for i, f in enumerate(feeds)]
    with g.building():
        outs = build(*ins)
    g.outputs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    g.verify()
    before = _run(g, feeds)
    g, changed = pass_fn(g)
    g.verify()
    after = _run(g, feeds)
    assert len(before) == len(after)
    for b, a in zip(before, after):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    return g, changed


def case(id, build, changed, feeds=(X,), check=None):
    return pytest.param(build, changed, feeds, check, id=id)


def _has(*types):
    return lambda g: all(t in op_types(g) for t in types)


def _lacks(*types):
    return lambda g: not any(t in op_types(g) for t in types)


# -- fold_constants -----------------------------------------------------------------------

FOLD = [
    case("const-add-folds", lambda x: op.Mul(x, op.Add(np.float32(2), np.ones(4, np.float32))), True,
         check=lambda g: op_types(g) == ["Mul"]),
    case("chain-folds-in-one-pass", lambda x: op.Add(x, op.Exp(op.Neg(np.ones(4, np.float32)))), True,
         check=lambda g: op_types(g) == ["Add"]),
    case("reshape-of-const", lambda x: op.Add(x, op.Reshape(np.arange(4, dtype=np.float32),
                                                            np.array([1, 4], np.int64))),
         True, check=lambda g: op_types(g) == ["Add"]),
    case("no-constant-subgraph", lambda x: op.Relu(op.Add(x, np.float32(1))), False),
    case("dropout-is-random", lambda x: op.Add(x, op.Dropout(np.ones((5, 4), np.float32),
                                                             np.array(0.5, np.float32),
                                                             np.array(True), seed=3)[0]), False,
         check=_has("Dropout")),
]


@pytest.mark.parametrize("build, changed, feeds, check", FOLD)
def test_fold_constants(build, changed, feeds, check):
    g, did = apply_pass(fold_constants, build, feeds)
    assert did is changed
    if check:
        assert check(g), op_types(g)


def test_fold_constants_skips_huge_results():
    g = Graph("big")
    x = g.input((1,), np.float32, "x")
    with g.building():
        y = op.Add(x, op.Expand(np.float32(1), np.array([1 << 21], np.int64)))
    g.outputs = [y]
    g, changed = fold_constants(g)
    assert not changed and "Expand" in op_types(g)


def _relu_input(g):
    (relu,) = [n for n in g.nx if n.op_type == "Relu"]
    return relu.inputs[0]


# -- simplify -----------------------------------------------------------------------------

ONE, ZERO = np.float32(1), np.float32(0)
SIMPLIFY = [
    case("identity", lambda x: op.Relu(op.Identity(x)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("mul-by-one", lambda x: op.Relu(op.Mul(x, ONE)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("one-times", lambda x: op.Relu(op.Mul(ONE, x)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("div-by-one", lambda x: op.Relu(op.Div(x, ONE)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("add-zero", lambda x: op.Relu(op.Add(x, ZERO)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("zero-plus", lambda x: op.Relu(op.Add(ZERO, x)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("sub-zero", lambda x: op.Relu(op.Sub(x, ZERO)), True, check=lambda g: op_types(g) == ["Relu"]),
    case("transpose-inverse-pair", lambda x: op.Relu(op.Transpose(op.Transpose(x, perm=[1, 0]),
                                                                  perm=[1, 0])), True,
         check=lambda g: _relu_input(g) is g.inputs[0]),
    case("concat-of-concat-flattens", lambda x: op.Relu(op.Concat(op.Concat(x, x, axis=1), op.Neg(x), axis=-1)),
         True, check=lambda g: op_types(g) == ["Concat", "Neg", "Relu"]
         and len(next(n for n in g.nx if n.op_type == "Concat").inputs) == 3),
    case("concat-other-axis-stays", lambda x: op.Relu(op.Concat(op.Concat(x, x, axis=0), op.Concat(x, x, axis=0),
                                                                axis=1)), False),
    case("transpose-pair-merges", lambda x: op.Relu(op.Transpose(op.Transpose(x, perm=[1, 2, 0]),
                                                                 perm=[1, 2, 0])), True,
         feeds=(RNG.standard_normal((2, 3, 4)).astype(np.float32),),
         check=lambda g: _relu_input(g).producer.attrs["perm"] == [2, 0, 1]
         and _relu_input(g).producer.inputs[0] is g.inputs[0]),
    case("zero-minus-is-kept", lambda x: op.Relu(op.Sub(ZERO, x)), False),
    case("mul-by-two", lambda x: op.Relu(op.Mul(x, np.float32(2))), False),
    case("one-that-broadcasts-is-kept", lambda x: op.Relu(op.Mul(x, np.ones((1, 1, 1), np.float32))),
         False, check=_has("Mul")),
    case("identity-as-output-is-kept", lambda x: op.Identity(x), False),
]


@pytest.mark.parametrize("build, changed, feeds, check", SIMPLIFY)
def test_simplify(build, changed, feeds, check):
    g, did = apply_pass(simplify, build, feeds)
    assert did is changed
    if check:
        assert check(g), op_types(g)


# -- eliminate_common_subexpressions ------------------------------------------------------


def _fills_of_two_dtypes(x):
    s = op.Shape(x)
    return [op.ConstantOfShape(s, value=np.array([1], np.int32)),
            op.ConstantOfShape(s, value=np.array([1], np.int64))]


CSE = [
    case("twin-relu", lambda x: op.Add(op.Relu(x), op.Relu(x)), True,
         check=lambda g: op_types(g) == ["Add", "Relu"]),
    case("twin-chains-in-one-pass", lambda x: op.Add(op.Exp(op.Relu(x)), op.Exp(op.Relu(x))), True,
         check=lambda g: op_types(g) == ["Add", "Exp", "Relu"]),
    case("equal-small-constants", lambda x: op.Mul(op.Add(x, np.float32(2)), op.Add(x, np.float32(2))),
         True, check=lambda g: op_types(g) == ["Add", "Mul"]),
    case("twin-outputs", lambda x: [op.Sigmoid(x), op.Sigmoid(x)], True,
         check=lambda g: op_types(g) == ["Sigmoid"]),
    case("twin-split", lambda x: op.Add(op.Split(x, np.array([2, 3], np.int64), axis=0)[1],
                                        op.Split(x, np.array([2, 3], np.int64), axis=0)[1]), True,
         check=lambda g: op_types(g) == ["Add", "Split"]),
    case("different-attrs", lambda x: op.Add(op.Softmax(x, axis=0), op.Softmax(x, axis=1)), False),
    case("different-constants", lambda x: op.Mul(op.Add(x, np.float32(2)), op.Add(x, np.float32(3))),
         False),
    case("dropout-is-random", lambda x: op.Add(op.Dropout(x)[0], op.Dropout(x)[0]), False),
    case("same-fill-different-dtypes", _fills_of_two_dtypes, False),
]


@pytest.mark.parametrize("build, changed, feeds, check", CSE)
def test_eliminate_common_subexpressions(build, changed, feeds, check):
    g, did = apply_pass(eliminate_common_subexpressions, build, feeds)
    assert did is changed
    if check:
        assert check(g), op_types(g)


# -- fuse_gemm ----------------------------------------------------------------------------


def _fused(g):
    """Only a Gemm is left once dead code is gone (the passes leave that to DCE)."""
    return op_types(eliminate_dead_code(g)[0]) == ["Gemm"]


def _gemm_attrs(g):
    (node,) = [n for n in g.nx if n.op_type == "Gemm"]
    return node.attrs, len([v for v in node.inputs if v is not None])


def _matmul_used_twice(x, w):
    m = op.MatMul(x, w)
    return [op.Add(m, B), op.Relu(m)]


def _matmul_is_an_output(x, w):
    m = op.MatMul(x, w)
    return [m, op.Add(m, B)]


XT, WT = np.ascontiguousarray(X.T), np.ascontiguousarray(W.T)
FUSE = [
    case("matmul-add-bias", lambda x, w: op.Add(op.MatMul(x, w), B), True, feeds=(X, W),
         check=lambda g: _fused(g) and _gemm_attrs(g) == ({"transA": 0, "transB": 0,
                                                                          "alpha": 1.0, "beta": 1.0}, 3)),
    case("bias-add-matmul", lambda x, w: op.Add(B[None], op.MatMul(x, w)), True, feeds=(X, W),
         check=_fused),
    case("transpose-matmul", lambda xt, w: op.MatMul(op.Transpose(xt, perm=[1, 0]), w), True,
         feeds=(XT, W), check=lambda g: _fused(g) and _gemm_attrs(g)[0]["transA"] == 1),
    case("transpose-default-perm-matmul", lambda xt, w: op.MatMul(op.Transpose(xt), w), True,
         feeds=(XT, W), check=lambda g: _fused(g) and _gemm_attrs(g)[0]["transA"] == 1),
    case("transpose-tuple-perm-matmul", lambda xt, w: op.MatMul(op.Transpose(xt, perm=(1, 0)), w), True,
         feeds=(XT, W), check=lambda g: _fused(g) and _gemm_attrs(g)[0]["transA"] == 1),
    case("transpose-matmul-add", lambda xt, w: op.Add(op.MatMul(op.Transpose(xt, perm=[1, 0]), w), B),
         True, feeds=(XT, W),
         check=lambda g: _fused(g) and _gemm_attrs(g) == ({"transA": 1, "transB": 0,
                                                                          "alpha": 1.0, "beta": 1.0}, 3)),
    case("matmul-transpose-b", lambda x, wt: op.MatMul(x, op.Transpose(wt, perm=[1, 0])), True,
         feeds=(X, WT), check=lambda g: _fused(g) and _gemm_attrs(g)[0]["transB"] == 1),
    case("transpose-both-add", lambda xt, wt: op.Add(op.MatMul(op.Transpose(xt), op.Transpose(wt)), B),
         True, feeds=(XT, WT),
         check=lambda g: _fused(g) and _gemm_attrs(g) == ({"transA": 1, "transB": 1,
                                                           "alpha": 1.0, "beta": 1.0}, 3)),
    case("matmul-used-twice", _matmul_used_twice, False, feeds=(X, W), check=_lacks("Gemm")),
    case("matmul-is-an-output", _matmul_is_an_output, False, feeds=(X, W), check=_lacks("Gemm")),
    case("full-matrix-addend", lambda x, w: op.Add(op.MatMul(x, w), np.ones((5, 3), np.float32)),
         True, feeds=(X, W), check=_fused),
    case("addend-that-broadcasts-the-product", lambda x, w: op.Add(op.MatMul(x, w), np.ones((2, 5, 3), np.float32)),
         False, feeds=(X, W), check=_lacks("Gemm")),
    case("stacked-rows-matmul-add", lambda x, w: op.Add(op.MatMul(x, w), B), True,
         feeds=(RNG.standard_normal((2, 5, 4)).astype(np.float32), W),
         check=lambda g: op_types(eliminate_dead_code(g)[0]) == ["Gemm", "Reshape", "Reshape"]),
    case("stacked-rows-row-bias", lambda x, w: op.Add(B[None], op.MatMul(x, w)), True,
         feeds=(RNG.standard_normal((3, 2, 5, 4)).astype(np.float32), W), check=_has("Gemm")),
    case("stacked-rows-full-addend", lambda x, w: op.Add(op.MatMul(x, w), np.ones((5, 3), np.float32)), False,
         feeds=(RNG.standard_normal((2, 5, 4)).astype(np.float32), W), check=_lacks("Gemm")),
    case("stacked-rows-no-bias", lambda x, w: op.MatMul(x, w), False,
         feeds=(RNG.standard_normal((2, 5, 4)).astype(np.float32), W), check=_lacks("Gemm")),
    case("batched-weights", lambda x, w: op.Add(op.MatMul(x, w), B), False,
         feeds=(RNG.standard_normal((2, 5, 4)).astype(np.float32), RNG.standard_normal((2, 4, 3)).astype(np.float32)),
         check=_lacks("Gemm")),
    case("plain-matmul", lambda x, w: op.MatMul(x, w), False, feeds=(X, W), check=_lacks("Gemm")),
]


@pytest.mark.parametrize("build, changed, feeds, check", FUSE)
def test_fuse_gemm(build, changed, feeds, check):
    g, did = apply_pass(fuse_gemm, build, feeds)
    assert did is changed
    if check:
        assert check(g), op_types(g)


def test_fuse_gemm_keeps_a_dynamic_batch():
    g = Graph("dyn")
    x = g.input((None, 4), np.float32, "x")
    with g.building():
        y = op.Add(op.MatMul(x, W), B)
    g.outputs = [y]
    g, changed = fuse_gemm(g)
    assert changed and op_types(g.verify()) == ["Gemm"] and g.outputs[0].shape == (None, 3)
    program_out = _run(g, [np.ones((2, 4), np.float32)])[0]
    np.testing.assert_allclose(program_out, np.ones((2, 4)) @ W + B, rtol=1e-6)


@pytest.mark.parametrize("shape, fused", [((None, 5, 4), True), ((5, None, 4), True), ((None, None, 4), False)])
def test_fuse_gemm_on_stacked_rows_with_a_dynamic_axis(shape, fused):
    """A sequence's rows (a time-major input projection has its batch in the middle) go through
    Gemm as one matrix; with two unknown leading axes the output shape cannot be restored."""
    g = Graph("dyn")
    x = g.input(shape, np.float32, "x")
    with g.building():
        y = op.Add(op.MatMul(x, W), B)
    g.outputs = [y]
    g, changed = fuse_gemm(g)
    g.verify()
    assert changed is fused and ("Gemm" in op_types(g)) is fused and g.outputs[0].shape == shape[:-1] + (3,)
    for n in (1, 3):
        feed = RNG.standard_normal([n if d is None else d for d in shape]).astype(np.float32)
        np.testing.assert_allclose(_run(g, [feed])[0], feed @ W + B, rtol=1e-5, atol=1e-6)


# -- eliminate_dead_code ------------------------------------------------------------------

DCE = [
    case("unused-branch", lambda x: (op.Exp(op.Relu(x)), op.Relu(x))[1], True,
         check=lambda g: op_types(g) == ["Relu"]),
    case("all-live", lambda x: op.Add(op.Relu(x), op.Exp(x)), False),
    case("split-with-one-used-output", lambda x: op.Relu(op.Split(x, np.array([2, 3], np.int64))[0]),
         False, check=_has("Split")),
    case("output-is-an-input", lambda x: (op.Relu(x), x)[1], True, check=lambda g: op_types(g) == []),
]


@pytest.mark.parametrize("build, changed, feeds, check", DCE)
def test_eliminate_dead_code(build, changed, feeds, check):
    g, did = apply_pass(eliminate_dead_code, build, feeds)
    assert did is changed
    if check:
        assert check(g), op_types(g)


# -- the pass manager ---------------------------------------------------------------------


def _mlp_training_graph():
    g = Graph("mlp")
    x = g.input((None, 4), np.float32, "x")
    y = g.input((None, 2), np.float32, "y")
    w1 = g.input((4, 8), np.float32, "w1")
    b1 = g.input((8,), np.float32, "b1")
    w2 = g.input((8, 2), np.float32, "w2")
    with g.building():
        h = op.Relu(op.Add(op.MatMul(x, w1), b1))
        p = op.Softmax(op.MatMul(h, w2), axis=-1)
        loss = op.ReduceMean(op.Neg(op.ReduceSum(op.Mul(y, op.Log(p)), np.array([-1]), keepdims=0)),
                             keepdims=0)
        grads = gradients(g, loss, [w1, b1, w2])
    g.outputs = [loss, *grads]
    rng = np.random.default_rng(3)
    feeds = [rng.standard_normal((6, 4)), np.eye(2)[rng.integers(0, 2, 6)],
             rng.standard_normal((4, 8)), rng.standard_normal(8), rng.standard_normal((8, 2))]
    return g, [f.astype(np.float32) for f in feeds]


def test_optimize_reaches_a_fixpoint_and_keeps_results():
    g, feeds = _mlp_training_graph()
    before = _run(g, feeds)
    n_before = len(g.nx)
    g = optimize(g, verify=True)
    for p in DEFAULT_PASSES:
        g, changed = p(g)
        assert not changed, f"{p.__name__} still changes the graph after optimize()"
    assert len(g.nx) < n_before
    assert "Gemm" in op_types(g)
    after = _run(g, feeds)
    for b, a in zip(before, after):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_verify_names_the_node_that_reads_a_missing_value():
    g = Graph("broken")
    x = g.input((3,), np.float32, "x")
    with g.building():
        r = op.Relu(x)
        e = op.Exp(r)
    g.outputs = [e]
    g.remove(r.producer)
    with pytest.raises(ValueError, match=e.producer.name):
        g.verify()
