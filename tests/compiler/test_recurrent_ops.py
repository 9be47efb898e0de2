"""opdefs/recurrent.py: the fused LSTM/GRU/RNN ops (inference only) and ReverseSequence.

Their numpy references are checked against onnxruntime case by case in test_references.py
(op_cases: directions, sequence_lens, initial states, clip, peepholes, input_forget and
activations with alpha/beta); ReverseSequence's gradient in test_gradients.py. Here: shape
rules (dynamic time and batch axes), the semantics of sequence_lens spelled out, constant
folding through the references, and the absence of gradients."""

import numpy as np
import pytest

from horn.compiler import OPS, Graph, gradients, op, optimize, to_onnx
from horn.runtime import Program

from .op_cases import INFERENCE_ONLY

RNG = np.random.default_rng(3)
T, B, I, H = 5, 3, 4, 2


def _weights(gates, dirs=1):
    return (RNG.uniform(-1, 1, (dirs, gates * H, I)).astype(np.float32),
            RNG.uniform(-1, 1, (dirs, gates * H, H)).astype(np.float32))


def _run(graph, *feeds):
    return Program(to_onnx(graph).SerializeToString())(*feeds)


@pytest.mark.parametrize("op_type, gates, outputs", [("LSTM", 4, 3), ("GRU", 3, 2), ("RNN", 1, 2)])
@pytest.mark.parametrize("direction, dirs", [("forward", 1), ("reverse", 1), ("bidirectional", 2)])
def test_shape_rule_keeps_dynamic_time_and_batch_axes(op_type, gates, outputs, direction, dirs):
    g = Graph("shapes")
    x = g.input((None, None, I), np.float32, "x")
    w, r = _weights(gates, dirs)
    with g.building():
        outs = getattr(op, op_type)(x, w, r, hidden_size=H, direction=direction)
    assert len(outs) == outputs
    assert outs[0].shape == (None, dirs, None, H)
    assert all(o.shape == (dirs, None, H) for o in outs[1:])
    g.outputs, g.output_names = list(outs), [f"o{i}" for i in range(outputs)]
    for steps, batch in ((2, 1), (7, 4)):  # one program, any length and batch
        got = _run(g, RNG.uniform(-1, 1, (steps, batch, I)).astype(np.float32))
        assert got[0].shape == (steps, dirs, batch, H) and got[1].shape == (dirs, batch, H)


def test_shape_rule_errors():
    g = Graph("bad")
    x = g.input((T, B, I), np.float32, "x")
    w, r = _weights(4)
    with g.building():
        with pytest.raises(ValueError, match=r"hidden_size=3 needs W \(dirs, 12, input\) and R \(dirs, 12, 3\)"):
            op.LSTM(x, w, r, hidden_size=3)
        with pytest.raises(ValueError, match="layout=0 only"):
            op.LSTM(x, w, r, hidden_size=H, layout=1)


def test_sequence_lens_semantics():
    """Steps at and after a row's length output zeros and leave its state alone (Y_h is the
    state after the row's last step); the reverse direction starts at length - 1; a row of
    length 0 ends in zeros."""
    x = RNG.uniform(-1, 1, (T, B, I)).astype(np.float32)
    w, r = _weights(1)
    lens = np.array([5, 2, 0], np.int32)
    ref = OPS["RNN"].reference
    full_y, _ = ref(x, w, r, hidden_size=H)
    y, y_h = ref(x, w, r, None, lens, hidden_size=H)
    np.testing.assert_array_equal(y[:, 0, 0], full_y[:, 0, 0])
    np.testing.assert_array_equal(y[:2, 0, 1], full_y[:2, 0, 1])
    np.testing.assert_array_equal(y[2:, 0, 1], 0)
    np.testing.assert_array_equal(y[:, 0, 2], 0)
    np.testing.assert_array_equal(y_h[0], [y[4, 0, 0], y[1, 0, 1], np.zeros(H)])
    # reverse: row 1 runs steps 1, 0 only; its Y_h is the output at step 0
    rev_y, rev_h = ref(x, w, r, None, lens, hidden_size=H, direction="reverse")
    short_y, _ = ref(x[:2, 1:2], w, r, hidden_size=H, direction="reverse")
    np.testing.assert_allclose(rev_y[:2, 0, 1], short_y[:, 0, 0])
    np.testing.assert_array_equal(rev_y[2:, 0, 1], 0)
    np.testing.assert_array_equal(rev_h[0, 1], rev_y[0, 0, 1])
    # onnxruntime agrees
    g = Graph("lens")
    xv = g.input(x.shape, np.float32, "x")
    with g.building():
        outs = op.RNN(xv, w, r, None, lens, hidden_size=H, direction="reverse")
    g.outputs, g.output_names = list(outs), ["y", "y_h"]
    got_y, got_h = _run(g, x)
    np.testing.assert_allclose(got_y, rev_y, atol=1e-6)
    np.testing.assert_allclose(got_h, rev_h, atol=1e-6)


def test_lstm_gate_order_is_iofc():
    """One hidden unit, no recurrence: with only the o block of W nonzero, h = sigmoid(o) *
    tanh(c) and c = sigmoid(0) * tanh(0) = 0, so h = 0; with only the c block, h =
    sigmoid(0) * tanh(sigmoid(0) * tanh(x))."""
    x = np.full((1, 1, 1), 0.7, np.float32)
    r = np.zeros((1, 4, 1), np.float32)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    for block, want in ((1, 0.0), (3, sig(0) * np.tanh(sig(0) * np.tanh(0.7)))):  # blocks [i, o, f, c]
        w = np.zeros((1, 4, 1), np.float32)
        w[0, block, 0] = 1.0
        (y, y_h, y_c) = OPS["LSTM"].reference(x, w, r, hidden_size=1)
        np.testing.assert_allclose(y_h.reshape(-1), [want], atol=1e-7)
        g = Graph("order")
        xv = g.input(x.shape, np.float32, "x")
        with g.building():
            outs = op.LSTM(xv, w, r, hidden_size=1)
        g.outputs, g.output_names = [outs[1]], ["y_h"]
        np.testing.assert_allclose(_run(g, x)[0].reshape(-1), [want], atol=1e-6)


def test_constant_inputs_fold_through_the_reference():
    x = RNG.uniform(-1, 1, (T, B, I)).astype(np.float32)
    w, r = _weights(3)
    b = RNG.uniform(-1, 1, (1, 6 * H)).astype(np.float32)
    g = Graph("fold")
    xv = g.input(x.shape, np.float32, "x")
    with g.building():
        y, y_h = op.GRU(xv, w, r, b, hidden_size=H, linear_before_reset=1)
        folded_y, folded_h = op.GRU(x, w, r, b, hidden_size=H, linear_before_reset=1)  # constant inputs
    g.outputs, g.output_names = [y, y_h, folded_y, folded_h], ["y", "y_h", "cy", "cy_h"]
    optimized = optimize(g, verify=True)
    assert sum(n.op_type == "GRU" for n in optimized.nodes()) == 1  # the constant one folded away
    got = _run(optimized, x)
    np.testing.assert_allclose(got[2], got[0], atol=1e-6)
    np.testing.assert_allclose(got[3], got[1], atol=1e-6)


@pytest.mark.parametrize("op_type", sorted(INFERENCE_ONLY))
def test_fused_ops_have_no_gradient(op_type):
    assert OPS[op_type].grad is None
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op_type]
    g = Graph("nograd")
    x = g.input((T, B, I), np.float32, "x")
    w, r = _weights(gates)
    with g.building():
        y = getattr(op, op_type)(x, w, r, hidden_size=H)[0]
        loss = op.ReduceSum(y, keepdims=0)
    with pytest.raises(NotImplementedError, match=f"no gradient rule for op {op_type}"):
        gradients(g, loss, [x])


def test_reverse_sequence_reference():
    x = np.arange(2 * 4 * 3, dtype=np.float32).reshape(2, 4, 3)  # batch-major: batch_axis=0, time_axis=1
    got = OPS["ReverseSequence"].reference(x, np.array([4, 2]), batch_axis=0, time_axis=1)
    np.testing.assert_array_equal(got[0], x[0, ::-1])
    np.testing.assert_array_equal(got[1], np.concatenate([x[1, 1::-1], x[1, 2:]]))
