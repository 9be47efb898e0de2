"""Emission keeps constants' shapes: a 0-d constant must stay a 0-d initializer."""

import numpy as np
from onnx import numpy_helper

from horn.compiler import Graph, op, to_onnx
from horn.runtime import Program


def test_scalar_constant_is_a_rank_0_initializer():
    g = Graph("scalar")
    x = g.input((), np.float32, "x")
    with g.building():
        y = op.Mul(x, np.array(2.0, np.float32))
    g.outputs, g.output_names = [y], ["y"]
    model = to_onnx(g)
    (init,) = model.graph.initializer
    assert numpy_helper.to_array(init).shape == ()
    (out,) = Program(model.SerializeToString())(np.array(3.0, np.float32))
    assert out.shape == () and out == 6.0


def test_scalar_loss_times_constant_stays_scalar():
    """Mul(scalar, 0-d const) must not come back from onnxruntime with shape (1,)."""
    g = Graph("loss")
    x = g.input((None, 3), np.float64, "x")
    with g.building():
        loss = op.Mul(op.ReduceMean(x, keepdims=0), np.array(0.5))
    g.outputs, g.output_names = [loss], ["loss"]
    (out,) = Program(to_onnx(g).SerializeToString())(np.ones((4, 3)))
    assert out.shape == () and out == 0.5


def test_output_folded_to_a_constant_that_no_node_reads():
    """After folding, an output can be a constant no node consumes: it must still be emitted."""
    from horn.compiler import optimize

    g = Graph("folded")
    x = g.input((3,), np.float32, "x")
    with g.building():
        y = op.Relu(x)
        c = op.Add(np.ones(3, np.float32), np.ones(3, np.float32))
    g.outputs = [y, c]  # emitted under the values' own names
    g = optimize(g, verify=True)
    assert g.outputs[1].const is not None
    y_, c_ = Program(to_onnx(g).SerializeToString())(np.array([-1.0, 0.0, 2.0], np.float32))
    np.testing.assert_array_equal(c_, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(y_, [0.0, 0.0, 2.0])
