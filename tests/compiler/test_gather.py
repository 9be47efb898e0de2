"""Gather / GatherND / ScatterND beyond the gradient table: the embedding-shaped gradient
(np.add.at over many repeated ids), indices fed at run time with a dynamic batch axis, the
emitted form of the gradient (ScatterND add over run-time zeros, no stored zero table), the
horn.ops wrappers and their eager (numpy) results."""

import numpy as np
import pytest

from horn import ops
from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.runtime import Program


def _embedding_grad_program(vocab, dim, length, index_dtype):
    """loss = sum(Gather(W, ids) * G) with ids and G fed at run time; outputs (rows, dW)."""
    g = Graph("embedding_grad")
    w = g.input((vocab, dim), np.float32, "w")
    ids = g.input((None, length), index_dtype, "ids")
    upstream = g.input((None, length, dim), np.float32, "upstream")
    with g.building():
        rows = op.Gather(w, ids, axis=0)
        loss = op.ReduceSum(op.Mul(rows, upstream), keepdims=0)
        (dw,) = gradients(g, loss, [w])
    g.outputs, g.output_names = [rows, dw], ["rows", "dw"]
    return optimize(g, verify=True)


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_embedding_gradient_sums_repeated_ids(index_dtype):
    vocab, dim, length = 50, 8, 12
    graph = _embedding_grad_program(vocab, dim, length, index_dtype)
    program = Program(to_onnx(graph).SerializeToString())
    rng = np.random.default_rng(0)
    w = rng.standard_normal((vocab, dim)).astype(np.float32)
    for batch in (7, 3):  # two batch sizes through one program: the batch axis is dynamic
        ids = rng.integers(0, 6, (batch, length)).astype(index_dtype)  # few ids: many repeats
        up = rng.standard_normal((batch, length, dim)).astype(np.float32)
        rows, dw = program(w, ids, up)
        want = np.zeros((vocab, dim), np.float64)
        np.add.at(want, ids.reshape(-1), up.reshape(-1, dim))
        np.testing.assert_array_equal(rows, w[ids])
        np.testing.assert_allclose(dw, want, rtol=1e-5, atol=1e-5)
        assert np.all(dw[6:] == 0)  # ids never drawn get exactly zero


def test_embedding_gradient_is_scatter_add_into_runtime_zeros():
    """The big zero table is filled at run time (ConstantOfShape), not stored in the file,
    and the scatter adds (ScatterND without a reduction would drop repeated ids)."""
    model = to_onnx(_embedding_grad_program(20000, 128, 80, np.int32))
    kinds = [n.op_type for n in model.graph.node]
    scatter = [n for n in model.graph.node if n.op_type == "ScatterND"]
    assert len(scatter) == 1 and "ConstantOfShape" in kinds
    assert {a.name: a.s for a in scatter[0].attribute}["reduction"] == b"add"
    stored = sum(np.prod(t.dims) for t in model.graph.initializer)
    assert stored < 1000, f"{stored} constant elements stored: the zero table was folded into the file"


def test_gather_along_time_with_dynamic_batch_gradient():
    """Gather on axis 1 of a (None, T, C) tensor (flip's form): the gradient transposes,
    scatters and transposes back, at any batch size."""
    g = Graph("flip_grad")
    x = g.input((None, 5, 3), np.float64, "x")
    idx = np.array([4, 3, 2, 1, 0, 0], np.int64)
    rng = np.random.default_rng(1)
    weights = rng.standard_normal((6, 3))
    with g.building():
        y = op.Gather(x, idx, axis=1)
        loss = op.ReduceSum(op.Mul(y, weights), keepdims=0)
        (dx,) = gradients(g, loss, [x])
    assert y.shape == (None, 6, 3) and dx.shape == (None, 5, 3)
    g.outputs, g.output_names = [y, dx], ["y", "dx"]
    program = Program(to_onnx(optimize(g, verify=True)).SerializeToString())
    for batch in (2, 4):
        xs = rng.standard_normal((batch, 5, 3))
        y_, dx_ = program(xs)
        want = np.zeros_like(xs)
        for j, i in enumerate(idx):
            want[:, i] += weights[j]
        np.testing.assert_array_equal(y_, xs[:, idx])
        np.testing.assert_allclose(dx_, want, rtol=1e-12)


def test_shape_rules_name_bad_inputs():
    g = Graph("bad")
    data = g.input((4, 3), np.float32, "data")
    with g.building():
        with pytest.raises(TypeError, match="integer indices"):
            op.Gather(data, np.array([0.0, 1.0], np.float32))
        with pytest.raises(TypeError, match="int64 indices"):
            op.ScatterND(data, np.array([[0]], np.int32), np.zeros((1, 3), np.float32))
        with pytest.raises(ValueError, match=r"needs updates of shape \(2, 3\)"):
            op.ScatterND(data, np.array([[0], [1]], np.int64), np.zeros((2, 4), np.float32))


def test_out_of_range_index_is_an_error_in_eager_mode():
    with pytest.raises(IndexError):
        ops.take(np.zeros((3, 2), np.float32), np.array([3]), axis=0)


def test_ops_wrappers_eager():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(ops.take(x, np.array([2, 0, 2]), axis=0), x[[2, 0, 2]])
    np.testing.assert_array_equal(ops.take(x, np.array([1.0, 2.0]), axis=1), x[:, [1, 2]])  # float ids
    np.testing.assert_array_equal(ops.take(x, np.array([5, -1])), [5.0, 11.0])  # flattened
    np.testing.assert_array_equal(ops.flip(x, axis=1), x[:, ::-1])
    np.testing.assert_array_equal(ops.flip(x), x[::-1, ::-1])
    summed = ops.scatter(np.array([[1], [1], [0]]), np.ones((3, 2), np.float32), (3, 2))
    np.testing.assert_array_equal(summed, [[1, 1], [2, 2], [0, 0]])
    replaced = ops.scatter_update(x, np.array([[0, 1], [2, 3]]), np.array([-1.0, -2.0], np.float32))
    want = x.copy()
    want[0, 1], want[2, 3] = -1, -2
    np.testing.assert_array_equal(replaced, want)
