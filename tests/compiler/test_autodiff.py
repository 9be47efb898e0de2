"""The autodiff driver: fan-out sums, missing rules, unreachable values, argument checks."""

import numpy as np
import pytest

from horn.compiler import OPS, Graph, gradients, op, optimize, to_onnx
from horn.compiler.opdef import defop, same_as
from horn.runtime import Program

X = np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -0.25]])


def _run(g, outputs, *feeds):
    g.outputs = list(outputs)
    g.output_names = [f"out{i}" for i in range(len(outputs))]
    g = optimize(g, verify=True)
    return Program(to_onnx(g).SerializeToString())(*feeds)


@pytest.fixture
def scratch_op():
    """Register temporary ops (removed afterwards): name -> grad rule."""
    added = []

    def register(name, grad=None):
        defop(name, same_as(0), lambda x: x.copy(), grad)
        added.append(name)
        return name

    yield register
    for name in added:
        del OPS[name]


def test_fan_out_is_summed():
    g = Graph("fanout")
    x = g.input(X.shape, np.float64, "x")
    with g.building():
        # x feeds Mul twice (both of its inputs) and Add once: d/dx sum(x*x + x) = 2x + 1.
        loss = op.ReduceSum(op.Add(op.Mul(x, x), x), keepdims=0)
        (dx,) = gradients(g, loss, [x])
    (got,) = _run(g, [dx], X)
    np.testing.assert_allclose(got, 2 * X + 1, rtol=1e-12)


def test_fan_out_across_branches():
    g = Graph("branches")
    x = g.input(X.shape, np.float64, "x")
    with g.building():
        h = op.Tanh(x)  # h is used by two different branches
        loss = op.ReduceSum(op.Add(op.Exp(h), op.Mul(h, 3.0)), keepdims=0)
        (dx,) = gradients(g, loss, [x])
    (got,) = _run(g, [dx], X)
    np.testing.assert_allclose(got, (np.exp(np.tanh(X)) + 3) * (1 - np.tanh(X) ** 2), rtol=1e-12)


W3 = np.array([1.0, -2.0, 0.5])


def test_gradient_of_an_intermediate_value():
    g = Graph("mid")
    x = g.input(X.shape, np.float64, "x")
    with g.building():
        h = op.Relu(x)
        loss = op.ReduceSum(op.Mul(h, W3), keepdims=0)
        (dh,) = gradients(g, loss, [h])
    (got_dh,) = _run(g, [dh], X)
    np.testing.assert_allclose(got_dh, np.broadcast_to(W3, X.shape))


def test_gradients_of_a_value_and_of_what_it_is_computed_from():
    """Asking for d/dh and d/dx together, where h = Relu(x): both are returned."""
    g = Graph("both")
    x = g.input(X.shape, np.float64, "x")
    with g.building():
        h = op.Relu(x)
        loss = op.ReduceSum(op.Mul(h, W3), keepdims=0)
        dx, dh, dloss = gradients(g, loss, [x, h, loss])
    assert dh is not None, "d loss / d h was dropped once h's producer was differentiated"
    assert dloss is not None, "d loss / d loss was dropped"
    got_dx, got_dh, got_dloss = _run(g, [dx, dh, dloss], X)
    np.testing.assert_allclose(got_dh, np.broadcast_to(W3, X.shape))
    np.testing.assert_allclose(got_dx, (X > 0) * W3)
    assert got_dloss == 1.0


def test_second_order_gradient():
    """Gradient rules are ordinary ops, so they can be differentiated again: d2/dx2 x^3 = 6x."""
    g = Graph("hessian")
    x = g.input(X.shape, np.float64, "x")
    with g.building():
        loss = op.ReduceSum(op.Mul(op.Mul(x, x), x), keepdims=0)
        (dx,) = gradients(g, loss, [x])
        (ddx,) = gradients(g, op.ReduceSum(dx, keepdims=0), [x])
    got_dx, got_ddx = _run(g, [dx, ddx], X)
    np.testing.assert_allclose(got_dx, 3 * X**2, rtol=1e-12)
    np.testing.assert_allclose(got_ddx, 6 * X, rtol=1e-12)


def test_missing_rule_names_the_op(scratch_op):
    name = scratch_op("HornTestNoGradOp")
    g = Graph("missing")
    x = g.input((3,), np.float32, "x")
    with g.building():
        loss = op.ReduceSum(getattr(op, name)(x), keepdims=0)
        with pytest.raises(NotImplementedError, match=name):
            gradients(g, loss, [x])


def test_missing_rule_off_the_path_is_fine(scratch_op):
    """An op without a rule only matters when the gradient has to flow through it."""
    name = scratch_op("HornTestNoGradOp")
    g = Graph("offpath")
    x = g.input((3,), np.float32, "x")
    c = g.input((3,), np.float32, "c")
    with g.building():
        loss = op.ReduceSum(op.Mul(x, getattr(op, name)(c)), keepdims=0)
        (dx,) = gradients(g, loss, [x])  # c (behind the op) is not asked for
    assert dx is not None


def test_rule_with_wrong_arity_is_reported(scratch_op):
    name = scratch_op("HornTestBadArity", grad=lambda n, g: [g[0], g[0]])
    g = Graph("arity")
    x = g.input((3,), np.float32, "x")
    with g.building():
        loss = op.ReduceSum(getattr(op, name)(x), keepdims=0)
        with pytest.raises(RuntimeError, match="returned 2 gradients for 1 inputs"):
            gradients(g, loss, [x])


def test_rule_with_wrong_shape_is_reported(scratch_op):
    name = scratch_op("HornTestBadShape", grad=lambda n, g: [op.ReduceSum(g[0], keepdims=1)])
    g = Graph("shape")
    x = g.input((3,), np.float32, "x")
    with g.building():
        loss = op.ReduceSum(getattr(op, name)(x), keepdims=0)
        with pytest.raises(RuntimeError, match="gave shape"):
            gradients(g, loss, [x])


def test_values_that_do_not_reach_the_loss_get_none():
    g = Graph("unreached")
    x = g.input((3,), np.float32, "x")
    unused = g.input((3,), np.float32, "unused")
    side = g.input((3,), np.float32, "side")
    with g.building():
        op.Exp(side)  # computed, but not part of the loss
        loss = op.ReduceSum(op.Exp(x), keepdims=0)
        dx, du, ds = gradients(g, loss, [x, unused, side])
    assert dx is not None and du is None and ds is None


def test_values_behind_non_differentiable_ops_get_none():
    g = Graph("stopped")
    x = g.input((3,), np.float32, "x")
    y = g.input((3,), np.float32, "y")
    with g.building():
        mask = op.Cast(op.Greater(x, np.float32(0)), to=1)  # depends on x, carries no gradient
        loss = op.ReduceSum(op.Mul(mask, y), keepdims=0)
        dx, dy = gradients(g, loss, [x, y])
    assert dx is None and dy is not None


def test_integer_inputs_get_no_gradient():
    g = Graph("ints")
    x = g.input((3,), np.float32, "x")
    k = g.input((3,), np.int64, "k")
    with g.building():
        loss = op.ReduceSum(op.Mul(x, op.Cast(k, to=1)), keepdims=0)
        dx, dk = gradients(g, loss, [x, k])
    assert dx is not None and dk is None


@pytest.mark.parametrize("shape", [(3,), (1,), (2, 2)], ids=["vector", "one-element", "matrix"])
def test_non_scalar_loss_raises(shape):
    g = Graph("nonscalar")
    x = g.input(shape, np.float32, "x")
    with g.building():
        y = op.Exp(x)
        with pytest.raises(ValueError, match="scalar loss"):
            gradients(g, y, [x])
