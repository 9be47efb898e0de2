"""passes/leading_sum.py: ReduceSum over leading axes becomes ones(1, M) @ rows (equal outputs
on onnxruntime, static and dynamic leading axes, keepdims both ways), and what it leaves alone."""

import numpy as np
import pytest

from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.compiler.passes.leading_sum import sum_leading_axes_by_matmul
from horn.runtime import Program

RNG = np.random.default_rng(5)


def _run(graph, feeds):
    return Program(to_onnx(graph).SerializeToString())(*feeds)


def _sum_graph(shape, axes, keepdims, dtype=np.float32, dynamic=()):
    g = Graph("sum")
    x = g.input(tuple(None if i in dynamic else d for i, d in enumerate(shape)), dtype, "x")
    with g.building():
        y = op.ReduceSum(x, np.array(axes, np.int64), keepdims=keepdims)
    g.outputs, g.output_names = [y], ["y"]
    return g, [RNG.standard_normal(shape).astype(dtype)]


def _kinds(g):
    return [n.op_type for n in g.nodes()]


@pytest.mark.parametrize("shape,axes,dynamic", [
    ((7, 5), [0], ()), ((7, 5), [0], (0,)),                   # a Dense bias's gradient
    ((6, 4, 5), [0, 1], ()), ((6, 4, 5), [0, 1], (1,)),       # a recurrence's: time and batch
    ((6, 4, 5), [1, 0], (0,)), ((4, 3, 2, 5), [0], (0,)),     # axes in any order; rank 4
    ((3, 4, 2, 5), [0, 1, 2], (0, 1)),                        # two dynamic leading axes
])
@pytest.mark.parametrize("keepdims", [0, 1])
def test_leading_sums_become_one_matmul(shape, axes, dynamic, keepdims):
    g, feeds = _sum_graph(shape, axes, keepdims, dynamic=dynamic)
    want = np.sum(feeds[0], axis=tuple(axes), keepdims=bool(keepdims))
    g, changed = sum_leading_axes_by_matmul(g)
    assert changed
    g = optimize(g.verify(), verify=True)
    assert "ReduceSum" not in _kinds(g) and _kinds(g).count("MatMul") == 1
    assert ("ConstantOfShape" in _kinds(g)) == bool(dynamic)  # static counts: a constant row
    got = _run(g, feeds)[0]
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_float64_is_exact_enough_and_a_second_run_changes_nothing():
    g, feeds = _sum_graph((9, 3, 4), [0, 1], 1, dtype=np.float64, dynamic=(1,))
    g, changed = sum_leading_axes_by_matmul(g)
    assert changed
    np.testing.assert_allclose(_run(g, feeds)[0], feeds[0].sum(axis=(0, 1), keepdims=True), rtol=1e-12)
    assert not sum_leading_axes_by_matmul(g)[1]


@pytest.mark.parametrize("shape,axes,dtype,dynamic", [
    ((6, 4, 5), [0, 2], np.float32, ()),      # not only leading axes (a conv bias: N, H, W)
    ((6, 4, 5), [1], np.float32, ()),         # a middle axis
    ((6, 4), [0, 1], np.float32, ()),         # every axis: a scalar, nothing left to keep
    ((6, 4), [0], np.float16, ()),            # onnxruntime's CPU MatMul has no float16 here
    ((6, 4), [0], np.int64, ()),
    ((6, 4, 5), [0], np.float32, (1,)),       # a dynamic axis among those kept
])
def test_other_sums_are_left_alone(shape, axes, dtype, dynamic):
    g, feeds = _sum_graph(shape, axes, 1, dtype=dtype, dynamic=dynamic)
    want = _run(g, feeds)[0]
    g, changed = sum_leading_axes_by_matmul(g)
    assert not changed and _kinds(g) == ["ReduceSum"]
    np.testing.assert_array_equal(_run(g, feeds)[0], want)


def test_bias_gradient_through_the_default_passes():
    """d/db of sum((x @ w + b)^2) over a dynamic batch: the gradient's ReduceSum is gone."""
    g = Graph("dense")
    x = g.input((None, 3), np.float32, "x")
    w = g.input((3, 4), np.float32, "w")
    b = g.input((4,), np.float32, "b")
    with g.building():
        y = op.Add(op.MatMul(x, w), b)
        loss = op.ReduceSum(op.Mul(y, y), keepdims=0)
    (db,) = gradients(g, loss, [b])
    g.outputs, g.output_names = [db], ["db"]
    feeds = [RNG.standard_normal((8, 3)).astype(np.float32), RNG.standard_normal((3, 4)).astype(np.float32),
             RNG.standard_normal(4).astype(np.float32)]
    want = (2 * (feeds[0] @ feeds[1] + feeds[2])).sum(axis=0)
    g = optimize(g, verify=True)
    assert "ReduceSum" not in _kinds(g)
    np.testing.assert_allclose(_run(g, feeds)[0], want, rtol=1e-5, atol=1e-5)
