"""Gradient check for every op with a gradient rule: horn's backward graph, run on onnxruntime,
against central finite differences of the op's numpy reference in float64.

The loss is a fixed random linear functional of the op's outputs, so every output element
matters. Each case runs as emitted ("raw"), after optimize() ("optimized"), and optimized in
float32. Tolerances: float64 graphs 1e-6; float32 graphs (and ops with no double kernel in
onnxruntime's CPU EP, op_cases.NO_DOUBLE_KERNEL) 2e-4, against float64 finite differences.
"""

from dataclasses import replace

import numpy as np
import pytest

from horn.compiler import OPS, Graph, gradients, op, optimize, to_onnx
from horn.runtime import Program

from .op_cases import (
    DYNAMIC_CASES,
    GRAD_CASES,
    GRADIENT_REFUSED,
    INFERENCE_ONLY,
    NO_GRAD,
    finite_differences,
    gradient_program,
)


def _tol(case):
    return 1e-6 if case.dtype == np.float64 else 2e-4


def test_every_op_with_a_gradient_is_checked():
    # Dropout is random: its own test below. Scan's body is a graph: tests/compiler/test_scan.py.
    with_grad = set(OPS) - NO_GRAD - INFERENCE_ONLY - GRADIENT_REFUSED - {"Dropout", "Scan"}
    assert with_grad - {c.op for c in GRAD_CASES} == set()


@pytest.mark.parametrize("name", sorted(NO_GRAD))
def test_no_gradient_ops_give_none(name):
    from .op_cases import ALL_CASES, build

    case = next(c for c in ALL_CASES if c.op == name)
    node = build(case).outputs[0].producer
    grads = OPS[name].grad(node, [None] * len(node.outputs))
    assert list(grads) == [None] * len(node.inputs)


@pytest.mark.parametrize("name", sorted(GRADIENT_REFUSED))
def test_forward_only_ops_refuse_a_gradient_clearly(name):
    from .op_cases import ALL_CASES, build

    case = next(c for c in ALL_CASES if c.op == name)
    node = build(case).outputs[0].producer
    with pytest.raises(NotImplementedError, match="has no gradient"):
        OPS[name].grad(node, [None] * len(node.outputs))


def _modes():
    """Each case raw and optimized in its dtype, and optimized in float32 (the usual dtype)."""
    for c in GRAD_CASES + DYNAMIC_CASES:
        yield pytest.param(c, False, id=f"{c.id}-raw")
        yield pytest.param(c, True, id=f"{c.id}-optimized")
        if c.dtype == np.float64:
            yield pytest.param(replace(c, dtype=np.float32), True, id=f"{c.id}-float32")


@pytest.mark.parametrize("case, optimized", list(_modes()))
def test_gradient_matches_finite_differences(case, optimized):
    loss, grads, weights, built = gradient_program(case, optimized)
    want_loss, want_grads = finite_differences(case, weights)
    tol = _tol(case)
    np.testing.assert_allclose(loss, want_loss, rtol=tol, atol=tol, err_msg="loss")
    assert len(grads) == len(want_grads)
    for got, want, v in zip(grads, want_grads, built.graph.inputs):
        assert got.shape == want.shape, f"d/d{v.name}: shape {got.shape}, want {want.shape}"
        assert got.dtype == v.dtype, f"d/d{v.name}: dtype {got.dtype}, want {v.dtype}"
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=f"d loss / d {v.name}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_gradient_is_mask_over_keep_probability(dtype):
    rate = 0.3
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 2.0, (64, 32)).astype(dtype)
    w = rng.standard_normal((64, 32)).astype(dtype)
    g = Graph("dropout")
    xv = g.input(x.shape, dtype, "x")
    with g.building():
        y, mask = op.Dropout(xv, np.array(rate, dtype), np.array(True), seed=7)
        loss = op.ReduceSum(op.Mul(y, w), keepdims=0)
        (dx,) = gradients(g, loss, [xv])
    g.outputs, g.output_names = [y, mask, dx], ["y", "mask", "dx"]
    g = optimize(g, verify=True)
    y_, mask_, dx_ = Program(to_onnx(g).SerializeToString())(x)
    assert mask_.dtype == np.bool_ and 0.5 < mask_.mean() < 0.9  # about 1 - rate kept
    # onnxruntime scales double dropout by 1/(1-p) computed in float32: y agrees to ~1e-8.
    np.testing.assert_allclose(y_, x * mask_ / (1 - rate), rtol=1e-7 if dtype == np.float64 else 1e-6)
    np.testing.assert_allclose(dx_, w * mask_ / (1 - rate), rtol=1e-12 if dtype == np.float64 else 1e-6)


@pytest.mark.parametrize("reduce", ["ReduceMean", "ReduceSum", "ReduceMax"])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_dynamic_batch_axis(reduce, keepdims):
    """d/dx of a reduction over a batch axis of unknown size, run at two batch sizes."""
    g = Graph("dyn")
    x = g.input((None, 3), np.float64, "x")
    w = np.array([0.5, -2.0, 3.0])
    with g.building():
        r = getattr(op, reduce)(x, np.array([0]), keepdims=keepdims)
        loss = op.ReduceSum(op.Mul(r, w), keepdims=0)
        (dx,) = gradients(g, loss, [x])
    assert dx.shape[1:] == (3,)
    g.outputs, g.output_names = [loss, dx], ["loss", "dx"]
    g = optimize(g, verify=True)
    program = Program(to_onnx(g).SerializeToString())
    rng = np.random.default_rng(1)
    for n in (5, 2):
        xs = rng.uniform(-1, 1, (n, 3))
        loss_, dx_ = program(xs)
        if reduce == "ReduceMean":
            want_loss, want = (xs.mean(0) * w).sum(), np.broadcast_to(w / n, (n, 3))
        elif reduce == "ReduceSum":
            want_loss, want = (xs.sum(0) * w).sum(), np.broadcast_to(w, (n, 3))
        else:
            want_loss, want = (xs.max(0) * w).sum(), (xs == xs.max(0)) * w
        np.testing.assert_allclose(loss_, want_loss, rtol=1e-12)
        np.testing.assert_allclose(dx_, want, rtol=1e-12)


def test_reduce_max_splits_the_gradient_between_ties():
    g = Graph("ties")
    x = g.input((2, 3), np.float64, "x")
    with g.building():
        loss = op.ReduceSum(op.ReduceMax(x, np.array([1]), keepdims=0), keepdims=0)
        (dx,) = gradients(g, loss, [x])
    g.outputs, g.output_names = [dx], ["dx"]
    (dx_,) = Program(to_onnx(g).SerializeToString())(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))
    np.testing.assert_array_equal(dx_, [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
