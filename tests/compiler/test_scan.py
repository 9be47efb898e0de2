"""Scan (opdefs/scan.py): a loop body over the time axis, its numpy reference against
onnxruntime, and its gradient (a reverse Scan) against finite differences."""

import numpy as np
import onnx
import pytest
from gradcheck import central_differences

from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.compiler.opdefs.scan import evaluate, new_body
from horn.runtime import Program

T, B, F, H = 5, 3, 4, 2


def _rnn_scan(g, x, h0, w, r, in_dir=0, out_dir=0, dynamic=False):
    """h' = tanh(x_t W + h R + 0.1), y_t = h' * h' (a second, stacked output); W and R are read
    from the enclosing graph (captured)."""
    body = new_body(g)
    h = body.input((None if dynamic else B, H), x.dtype, "h")
    xt = body.input((None if dynamic else B, F), x.dtype, "xt")
    with body.building():
        new_h = op.Tanh(op.Add(op.Add(op.MatMul(xt, w), op.MatMul(h, r)), np.array(0.1, x.dtype)))
        body.outputs = [new_h, op.Mul(new_h, new_h)]
    with g.building():
        return op.Scan(h0, x, *[v for v, _ in body.captures], body=body, num_scan_inputs=1,
                       scan_input_directions=[in_dir], scan_output_directions=[out_dir])


def _numpy_rnn(x, h0, w, r, in_dir=0, out_dir=0):
    h, ys = h0, []
    for t in (range(len(x) - 1, -1, -1) if in_dir else range(len(x))):
        h = np.tanh(x[t] @ w + h @ r + 0.1)
        ys.append(h * h)
    ys = np.stack(ys)
    return h, ys[::-1] if out_dir else ys


def _inputs(dtype=np.float64, steps=T, batch=B):
    rng = np.random.default_rng(3)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in [(steps, batch, F), (batch, H), (F, H), (H, H)]]


def _graph(dtype, in_dir, out_dir, dynamic=False):
    g = Graph("scan")
    x = g.input((None, None, F) if dynamic else (T, B, F), dtype, "x")
    h0 = g.input((None, H) if dynamic else (B, H), dtype, "h0")
    w = g.input((F, H), dtype, "w")
    r = g.input((H, H), dtype, "r")
    h_last, ys = _rnn_scan(g, x, h0, w, r, in_dir, out_dir, dynamic)
    return g, h_last, ys


@pytest.mark.parametrize("in_dir, out_dir", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_scan_reference_and_onnxruntime_match_a_numpy_loop(in_dir, out_dir):
    g, h_last, ys = _graph(np.float32, in_dir, out_dir)
    g.outputs, g.output_names = [h_last, ys], ["h", "ys"]
    feeds = _inputs(np.float32)
    want_h, want_ys = _numpy_rnn(*feeds, in_dir, out_dir)
    ref_h, ref_ys = evaluate(g, {id(v): a for v, a in zip(g.inputs, feeds)})
    np.testing.assert_allclose(ref_h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ref_ys, want_ys, rtol=1e-5, atol=1e-6)
    got_h, got_ys = Program(to_onnx(g).SerializeToString())(*feeds)
    np.testing.assert_allclose(got_h, want_h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_ys, want_ys, rtol=1e-5, atol=1e-6)


def _loss(g, h_last, ys, dtype):
    rng = np.random.default_rng(11)
    c1 = rng.standard_normal((B, H)).astype(dtype)
    c2 = rng.standard_normal((T, B, H)).astype(dtype)
    with g.building():
        return op.Add(op.ReduceSum(op.Mul(h_last, c1), keepdims=0), op.ReduceSum(op.Mul(ys, c2), keepdims=0))


def _finite_differences(g, loss, feeds, eps=1e-6):
    def f(values):
        g.outputs = [loss]
        return float(evaluate(g, {id(v): a for v, a in zip(g.inputs, values)})[0])

    return central_differences(f, feeds, eps)


@pytest.mark.parametrize("optimized", [False, True])
@pytest.mark.parametrize("in_dir, out_dir", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_scan_gradient_matches_finite_differences(in_dir, out_dir, optimized):
    dtype = np.float64
    g, h_last, ys = _graph(dtype, in_dir, out_dir)
    loss = _loss(g, h_last, ys, dtype)
    feeds = _inputs(dtype)
    want = _finite_differences(g, loss, feeds)
    grads = gradients(g, loss, list(g.inputs))
    assert all(d is not None for d in grads)
    g.outputs, g.output_names = [loss, *grads], ["loss", "dx", "dh0", "dw", "dr"]
    if optimized:
        g = optimize(g, verify=True)
    got = Program(to_onnx(g).SerializeToString())(*feeds)
    for name, a, b in zip(["dx", "dh0", "dw", "dr"], got[1:], want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=name)


def test_scan_gradient_with_dynamic_time_and_batch_axes():
    """The same program runs (and differentiates) sequences of any length and batch size."""
    dtype = np.float64
    g, h_last, ys = _graph(dtype, 0, 0, dynamic=True)
    with g.building():
        loss = op.Add(op.ReduceSum(h_last, keepdims=0), op.ReduceSum(op.Mul(ys, ys), keepdims=0))
    grads = gradients(g, loss, list(g.inputs))
    g.outputs, g.output_names = [loss, *grads], ["loss", "dx", "dh0", "dw", "dr"]
    program = Program(to_onnx(optimize(g, verify=True)).SerializeToString())
    for steps, batch in [(7, 2), (3, 5)]:
        feeds = _inputs(dtype, steps, batch)
        got = program(*feeds)

        def f(values):
            h, y = _numpy_rnn(*values)
            return h.sum() + (y * y).sum()

        np.testing.assert_allclose(got[0], f(feeds), rtol=1e-12)
        for i, name in enumerate(["dx", "dh0", "dw", "dr"]):
            a = feeds[i]
            idx = tuple(s - 1 for s in a.shape)  # one entry per input: the last one
            plus, minus = [x.copy() for x in feeds], [x.copy() for x in feeds]
            plus[i][idx] += 1e-6
            minus[i][idx] -= 1e-6
            np.testing.assert_allclose(got[1 + i][idx], (f(plus) - f(minus)) / 2e-6, rtol=1e-6, err_msg=name)


def test_unused_scan_outputs_are_pruned_and_results_stay():
    g, h_last, ys = _graph(np.float32, 0, 0)
    g.outputs, g.output_names = [h_last], ["h"]
    feeds = _inputs(np.float32)
    before = Program(to_onnx(g).SerializeToString())(*feeds)
    node = h_last.producer
    assert len(node.outputs) == 2
    g = optimize(g, verify=True)
    assert len(node.outputs) == 1 and len(node.attrs["body"].outputs) == 1
    after = Program(to_onnx(g).SerializeToString())(*feeds)
    np.testing.assert_allclose(before[0], after[0], rtol=1e-6, atol=1e-6)  # (x_t W + 0.1 is lifted too)
    np.testing.assert_allclose(after[0], _numpy_rnn(*feeds)[0], rtol=1e-5, atol=1e-6)


def test_gradient_reads_saved_forward_values_instead_of_recomputing():
    """The backward loop recomputes nothing: no Tanh/MatMul of the forward step runs in it, and
    the weight gradients are single Gemms over all timesteps, outside both loops. (Optimized:
    hoist_scan_invariants has moved the per-iteration work on saved values out of the loop.)"""
    dtype = np.float64
    g, h_last, ys = _graph(dtype, 0, 0)
    loss = _loss(g, h_last, ys, dtype)
    grads = gradients(g, loss, list(g.inputs))
    g.outputs = [loss, *grads]
    g = optimize(g, verify=True)
    scans = [n for n in g.nodes() if n.op_type == "Scan"]
    assert len(scans) == 2
    back_ops = [n.op_type for n in scans[1].attrs["body"].nodes()]
    assert "Tanh" not in back_ops and "MatMul" not in back_ops
    # tanh's derivative (1 - h'^2) and d_y's term are per-iteration values, hoisted out of the
    # loop: what is left is (d_h + d_y term) * (1 - h'^2) and the Gemms by R^T and W^T.
    assert sorted(back_ops) == ["Add", "Gemm", "Gemm", "Mul"], back_ops
    forward_ops = [n.op_type for n in scans[0].attrs["body"].nodes()]
    # x_t W + 0.1 is lifted; h R + that is one Gemm
    assert sorted(forward_ops) == ["Gemm", "Mul", "Tanh"], forward_ops
    dw, dr = grads[2], grads[3]
    assert dw.producer.op_type == "Gemm" and dr.producer.op_type == "Gemm"


@pytest.mark.parametrize("direction", [0, 1])
def test_per_iteration_work_on_scan_inputs_runs_once_outside_the_loop(direction):
    """h' = h * tanh(2 x_t) + (x_t * x_t) * s: tanh(2 x_t) and x_t * x_t * s depend on the scan input
    (and a captured s) only: hoisted over the whole sequence; results equal before and after."""
    from horn.compiler.passes.scan_hoist import hoist_scan_invariants

    g = Graph("hoist")
    x = g.input((T, B, H), np.float32, "x")
    h0 = g.input((B, H), np.float32, "h0")
    s = g.input((H,), np.float32, "s")
    body = new_body(g)
    h = body.input((B, H), np.float32, "h")
    xt = body.input((B, H), np.float32, "xt")
    with body.building():
        new_h = op.Add(op.Mul(h, op.Tanh(op.Mul(xt, np.float32(2)))), op.Mul(op.Mul(xt, xt), s))
        body.outputs = [new_h, op.Mul(new_h, np.float32(3))]
    with g.building():
        h_last, ys = op.Scan(h0, x, *[v for v, _ in body.captures], body=body, num_scan_inputs=1,
                             scan_input_directions=[direction], scan_output_directions=[direction])
    g.outputs, g.output_names = [h_last, ys], ["h", "ys"]
    rng = np.random.default_rng(5)
    feeds = [rng.uniform(-1, 1, (T, B, H)).astype(np.float32), rng.uniform(-1, 1, (B, H)).astype(np.float32),
             rng.uniform(-1, 1, H).astype(np.float32)]
    before = Program(to_onnx(g).SerializeToString())(*feeds)
    g, changed = hoist_scan_invariants(g)
    assert changed
    g.verify()
    assert sorted(n.op_type for n in body.nodes()) == ["Add", "Mul", "Mul"]
    assert {"Tanh", "Mul"} <= {n.op_type for n in g.nodes()}
    assert not body.captures  # s is only read outside now
    after = Program(to_onnx(g).SerializeToString())(*feeds)
    for a, b in zip(before, after):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert hoist_scan_invariants(g)[1] is False


def test_work_on_captured_weights_alone_moves_before_the_loop():
    """A step that splits its weight (GRU's recurrent kernel) and scales it: lift_loop_invariants
    computes both once before the loop, the body captures the pieces, and the gradient (one
    Gemm per piece over all timesteps) matches finite differences."""
    from horn.compiler.passes.scan_hoist import lift_loop_invariants

    dtype = np.float64
    g = Graph("lift")
    x = g.input((T, B, H), dtype, "x")
    h0 = g.input((B, H), dtype, "h0")
    r = g.input((H, 2 * H), dtype, "r")
    body = new_body(g)
    h = body.input((B, H), dtype, "h")
    xt = body.input((B, H), dtype, "xt")
    with body.building():
        r1, r2 = op.Split(r, np.array([H, H], np.int64), axis=1)
        new_h = op.Tanh(op.Add(op.Add(op.MatMul(h, r1), op.MatMul(op.Mul(h, h), op.Mul(r2, 0.5))), xt))
        body.outputs = [new_h]
    assert lift_loop_invariants(body, g)
    assert sorted(n.op_type for n in body.nodes()) == ["Add", "Add", "MatMul", "MatMul", "Mul", "Tanh"]
    assert len(body.captures) == 2 and all(v.producer.op_type in ("Split", "Mul") for v, _ in body.captures)
    with g.building():
        h_last = op.Scan(h0, x, *[v for v, _ in body.captures], body=body, num_scan_inputs=1)
        loss = op.ReduceSum(op.Mul(h_last, h_last), keepdims=0)
    feeds = [np.random.default_rng(9).uniform(-0.5, 0.5, v.shape) for v in g.inputs]
    want = _finite_differences(g, loss, feeds)
    grads = gradients(g, loss, list(g.inputs))
    g.outputs, g.output_names = [loss, *grads], ["loss", "dx", "dh0", "dr"]
    got = Program(to_onnx(optimize(g, verify=True)).SerializeToString())(*feeds)
    for name, a, b in zip(["dx", "dh0", "dr"], got[1:], want):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=name)


# -- regressions found in review ---------------------------------------------------------------


def _grad_check(build, feeds):
    """build() -> (graph, loss): onnxruntime's gradients, optimized, against finite differences
    of the numpy reference."""
    g, loss = build()
    want = _finite_differences(g, loss, feeds)
    g, loss = build()
    grads = gradients(g, loss, list(g.inputs))
    g.outputs, g.output_names = [loss, *grads], ["loss"] + [f"d{i}" for i in range(len(grads))]
    got = Program(to_onnx(optimize(g, verify=True)).SerializeToString())(*feeds)
    for i, (a, b) in enumerate(zip(got[1:], want)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7, err_msg=f"d loss / d input {i}")


def _linear_scan(dtype, names=("x", "h0", "h", "xt")):
    """h' = 0.5 h + x_t over T steps: (graph, final h); `names`: outer x, h0, then the body's."""
    g = Graph("linear")
    x, h0 = g.input((T, B, H), dtype, names[0]), g.input((B, H), dtype, names[1])
    body = new_body(g)
    h, xt = body.input((B, H), dtype, names[2]), body.input((B, H), dtype, names[3])
    with body.building():
        body.outputs = [op.Add(op.Mul(h, dtype(0.5)), xt)]
    with g.building():
        return g, op.Scan(h0, x, body=body, num_scan_inputs=1)


def test_gradient_loop_of_a_linear_recurrence_keeps_a_scan_input():
    """h' = 0.5 h + x_t: the backward body reads nothing per iteration, but the loop's length
    comes from its scan inputs, so one stays."""
    def build():
        g, h_last = _linear_scan(np.float64)
        with g.building():
            return g, op.ReduceSum(op.Mul(h_last, h_last), keepdims=0)

    _grad_check(build, [np.random.default_rng(1).uniform(-1, 1, s) for s in [(T, B, H), (B, H)]])


def test_a_scan_whose_outputs_go_unused_keeps_counting_steps():
    """Only the carry of ops.scan is read: pruning and hoisting leave a loop that still runs
    once per timestep."""
    from horn import ops

    g = Graph("count")
    x = g.input((None, 3), np.float32, "x")
    with g.building():
        count, _ = ops.scan(lambda c, x_t: (c + 1.0, x_t * 2.0), np.zeros((), np.float32), x)
    g.outputs, g.output_names = [count], ["count"]
    g = optimize(g, verify=True)
    assert Program(to_onnx(g).SerializeToString())(np.ones((7, 3), np.float32))[0] == 7.0


def test_concat_of_a_step_input_and_a_captured_context_stays_in_the_loop():
    from horn import ops

    steps, features, context, units = 6, 3, 4, 5
    g = Graph("decoder")
    x, ctx = g.input((steps, B, features), np.float32, "x"), g.input((B, context), np.float32, "ctx")
    h0, w = g.input((B, units), np.float32, "h0"), g.input((features + context, units), np.float32, "w")
    with g.building():
        h_last, ys = ops.scan(
            lambda h, x_t: (ops.tanh(ops.matmul(ops.concatenate([x_t, ctx], axis=-1), w) + h),) * 2, h0, x)
    g.outputs, g.output_names = [h_last, ys], ["h", "ys"]
    feeds = [np.random.default_rng(2).uniform(-1, 1, v.shape).astype(np.float32) for v in g.inputs]
    want = evaluate(g, {id(v): a for v, a in zip(g.inputs, feeds)})
    got = Program(to_onnx(optimize(g, verify=True)).SerializeToString())(*feeds)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_regrouping_over_a_concat_with_a_constant_factor():
    g = Graph("regroup")
    x, h0 = g.input((T, B, H), np.float32, "x"), g.input((B, 2 * H), np.float32, "h0")
    body = new_body(g)
    h, xt = body.input((B, 2 * H), np.float32, "h"), body.input((B, H), np.float32, "xt")
    scale = np.linspace(0.5, 1.5, B * 2 * H).reshape(B, 2 * H).astype(np.float32)
    with body.building():
        h1, h2 = op.Split(h, np.array([H, H], np.int64), axis=1)
        body.outputs = [op.Mul(op.Concat(op.Tanh(op.Add(h1, xt)), op.Tanh(h2), axis=1), scale)]
    with g.building():
        h_last = op.Scan(h0, x, body=body, num_scan_inputs=1)
    g.outputs, g.output_names = [h_last], ["h"]
    feeds = [np.random.default_rng(3).uniform(-1, 1, v.shape).astype(np.float32) for v in g.inputs]
    (want,) = evaluate(g, {id(v): a for v, a in zip(g.inputs, feeds)})
    (got,) = Program(to_onnx(optimize(g, verify=True)).SerializeToString())(*feeds)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_a_loop_that_draws_random_numbers_is_not_folded():
    from horn import ops

    g = Graph("random")
    inp = g.input((None,), np.float32, "inp")
    with g.building():
        total, _ = ops.scan(lambda c, x_t: (c + ops.uniform_like(x_t), c), np.zeros((), np.float32),
                            np.zeros((4,), np.float32))
        out = op.Add(inp, total)
    g.outputs, g.output_names = [out], ["out"]
    g = optimize(g, verify=True)
    assert "Scan" in {n.op_type for n in g.nodes()}
    program = Program(to_onnx(g).SerializeToString())
    draws = {float(program(np.zeros(1, np.float32))[0][0]) for _ in range(4)}
    assert len(draws) > 1


def test_pruned_outputs_take_their_body_work_with_them():
    g, h_last, ys = _graph(np.float32, 0, 0)
    g.outputs = [h_last]
    body = h_last.producer.attrs["body"]
    g = optimize(g, verify=True)
    assert "Mul" not in {n.op_type for n in body.nodes()}  # y = h'^2 is gone with ys


def test_gradient_through_a_loop_inside_a_loop():
    """An outer loop over T whose body runs an inner loop over the S rows of x_t."""
    steps, rows, width = 3, 4, 2

    def build():
        g = Graph("nested")
        x = g.input((steps, rows, width), np.float64, "x")
        h0, w = g.input((width,), np.float64, "h0"), g.input((width,), np.float64, "w")
        outer = new_body(g)
        h, xt = outer.input((width,), np.float64, "oh"), outer.input((rows, width), np.float64, "oxt")
        inner = new_body(outer)
        hi, xs = inner.input((width,), np.float64, "ih"), inner.input((width,), np.float64, "ixs")
        with inner.building():
            new_h = op.Tanh(op.Add(op.Mul(hi, w), xs))
            inner.outputs = [new_h, op.Mul(new_h, new_h)]
        with outer.building():
            h_row, ys = op.Scan(h, xt, *[v for v, _ in inner.captures], body=inner, num_scan_inputs=1)
            outer.outputs = [h_row, op.ReduceSum(ys, keepdims=0)]
        with g.building():
            h_last, sums = op.Scan(h0, x, *[v for v, _ in outer.captures], body=outer, num_scan_inputs=1)
            return g, op.Add(op.ReduceSum(op.Mul(h_last, h_last), keepdims=0),
                             op.ReduceSum(op.Mul(sums, sums), keepdims=0))

    rng = np.random.default_rng(4)
    _grad_check(build, [rng.uniform(-1, 1, s) for s in [(steps, rows, width), (width,), (width,)]])


def test_ops_scan_names_a_carry_that_changes_shape():
    from horn import ops

    g = Graph("bad")
    x = g.input((5, 3), np.float32, "x")
    with g.building(), pytest.raises(ValueError, match=r"carry of shape \(3,\) for an init of shape \(\)"):
        ops.scan(lambda c, x_t: (c + x_t, x_t), np.zeros((), np.float32), x)


def test_body_names_do_not_shadow_the_enclosing_graph():
    g, h_last = _linear_scan(np.float32, names=("x", "h", "h", "x"))
    g.outputs, g.output_names = [h_last], ["out"]
    onnx.checker.check_model(to_onnx(g), full_check=True)
    feeds = [np.ones((T, B, H), np.float32), np.zeros((B, H), np.float32)]
    (got,) = Program(to_onnx(g).SerializeToString())(*feeds)
    np.testing.assert_allclose(got, np.full((B, H), 2 - 2 ** (1 - T)), rtol=1e-6)
