"""The RNN base (layers/rnn/rnn.py) with SimpleRNN, user-written and stacked cells: outputs
against numpy transcriptions of Keras's equations (return_sequences/return_state,
go_backwards, initial_state, masks, stateful batches), in both lowerings (unrolled, and ONNX's
fused RNN op in inference programs), gradients through time against finite differences
(float64), training, export, config round trips and errors that name the layer."""

import numpy as np
import onnx
import pytest

import horn as keras
from horn import layers, ops
from horn.compiler import Graph, gradients, optimize, to_onnx
from horn.frontend.layers.rnn import rnn as rnn_module
from horn.frontend.tracing import Trace, flatten
from horn.runtime import Program

# Every test runs with recurrences unrolled (as chosen for these short sequences) and looped.
pytestmark = pytest.mark.usefixtures("recurrence_lowering")

RNG = np.random.default_rng(7)


# -- numpy transcriptions of Keras (3) ------------------------------------------------------


def simple_rnn_ref(x, kernel, recurrent_kernel, bias=None, h0=None, mask=None, go_backwards=False,
                   zero_output_for_mask=False, act=np.tanh):
    """Keras's SimpleRNN: h = act(x_t @ kernel + h @ recurrent_kernel + bias), masked steps
    carry the state and the previous output; returns (outputs in processing order, last h)."""
    batch, steps = x.shape[:2]
    h = np.zeros((batch, recurrent_kernel.shape[0])) if h0 is None else h0
    prev, outputs = h, []
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    for t in order:
        new = act(x[:, t] @ kernel + h @ recurrent_kernel + (0 if bias is None else bias))
        if mask is not None:
            m = mask[:, t:t + 1]
            new_h = np.where(m, new, h)
            out = np.where(m, new, 0.0 if zero_output_for_mask else prev)
            h, prev = new_h, out
        else:
            h = prev = out = new
        outputs.append(out)
    return np.stack(outputs, 1), h


def weights64(layer):
    return [w.numpy().astype(np.float64) for w in layer.weights]


def run_traced(layer, x, training_trace, **kwargs):
    """layer(x, **kwargs) compiled in a graph whose trace is a training one or not (a training
    trace unrolls; an inference trace fuses), weights baked in, run on onnxruntime."""
    g = Graph("t")
    xv = g.input((None,) + x.shape[1:], x.dtype, "x")
    trace = Trace(g, training=training_trace, variables="constants")
    with trace.active():
        out = layer(xv, training=False, **kwargs)
    g.outputs = flatten(out)
    g.output_names = [f"out{i}" for i in range(len(g.outputs))]
    graph = optimize(g)
    ops_used = {n.op_type for n in graph.nodes()}
    return Program(to_onnx(graph).SerializeToString())(x), ops_used


def both_lowerings(layer, x, **kwargs):
    """Outputs of the fused (inference) and training lowerings; checks which ran. The training
    lowering is checked both ways, looped (Scan) and unrolled (unroll=True), against each other."""
    fused, fused_ops = run_traced(layer, x, False, **kwargs)
    threshold = rnn_module.SCAN_FROM_STEPS
    rnn_module.SCAN_FROM_STEPS = 1  # loop at any length
    try:
        unrolled, unrolled_ops = run_traced(layer, x, True, **kwargs)
    finally:
        rnn_module.SCAN_FROM_STEPS = threshold
    assert "RNN" not in unrolled_ops and "Scan" in unrolled_ops
    wrapped = getattr(layer, "layer", None)
    rnns = [r for r in (layer, wrapped, getattr(layer, "forward_layer", None),
                        getattr(layer, "backward_layer", None)) if hasattr(r, "unroll")]
    for r in rnns:
        r.unroll = True
    try:
        really_unrolled, ops_used = run_traced(layer, x, True, **kwargs)
    finally:
        for r in rnns:
            r.unroll = False
    assert "Scan" not in ops_used
    for a, b in zip(unrolled, really_unrolled):
        np.testing.assert_allclose(a, b, atol=2e-6, err_msg="Scan and unrolled lowerings differ")
    return fused, unrolled, fused_ops


def x_data(batch=3, steps=5, features=4):
    return RNG.uniform(-1, 1, (batch, steps, features)).astype(np.float32)


# -- SimpleRNN numerics -----------------------------------------------------------------------


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_simple_rnn_matches_keras_equations(return_sequences, go_backwards):
    x = x_data()
    layer = layers.SimpleRNN(6, return_sequences=return_sequences, return_state=True, go_backwards=go_backwards,
                             bias_initializer="random_normal")
    layer.build((None, 5, 4))
    seq, h = simple_rnn_ref(x.astype(np.float64), *weights64(layer), go_backwards=go_backwards)
    want = seq if return_sequences else seq[:, -1]
    fused, unrolled, fused_ops = both_lowerings(layer, x)
    assert "RNN" in fused_ops
    for got in (fused, unrolled):
        np.testing.assert_allclose(got[0], want, atol=2e-6)
        np.testing.assert_allclose(got[1], h, atol=2e-6)
    np.testing.assert_allclose(fused[0], unrolled[0], atol=1e-5)
    assert layer.compute_output_shape((None, 5, 4)) == [(None, 5, 6) if return_sequences else (None, 6), (None, 6)]


@pytest.mark.parametrize("activation, act", [("relu", lambda z: np.maximum(z, 0)), (None, lambda z: z),
                                             ("softplus", lambda z: np.logaddexp(0, z))])
def test_simple_rnn_other_activations(activation, act):
    """relu and linear map to ONNX (Relu, Affine); softplus stays unrolled in both programs."""
    x = x_data()
    layer = layers.SimpleRNN(4, activation=activation, return_sequences=True)
    layer.build((None, 5, 4))
    want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(layer), act=act)
    fused, unrolled, fused_ops = both_lowerings(layer, x)
    assert ("RNN" in fused_ops) == (activation != "softplus")
    np.testing.assert_allclose(fused[0], want, atol=2e-6)
    np.testing.assert_allclose(unrolled[0], want, atol=2e-6)


def test_simple_rnn_without_bias():
    x = x_data()
    layer = layers.SimpleRNN(3, use_bias=False)
    layer.build((None, 5, 4))
    assert [w.shape for w in layer.weights] == [(4, 3), (3, 3)]
    want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(layer))
    fused, unrolled, _ = both_lowerings(layer, x)
    np.testing.assert_allclose(fused[0], want[:, -1], atol=2e-6)
    np.testing.assert_allclose(unrolled[0], want[:, -1], atol=2e-6)


def test_weights_shapes_names_and_initializers():
    layer = layers.SimpleRNN(5)
    layer.build((None, 7, 3))
    assert [w.shape for w in layer.weights] == [(3, 5), (5, 5), (5,)]
    assert [w.path for w in layer.weights] == [f"{layer.name}/simple_rnn_cell/{n}"
                                               for n in ("kernel", "recurrent_kernel", "bias")]
    rk = layer.weights[1].numpy()
    np.testing.assert_allclose(rk @ rk.T, np.eye(5), atol=1e-5)  # 'orthogonal' by default
    assert layer.units == 5 and layer.activation is keras.activations.get("tanh")


# -- initial_state --------------------------------------------------------------------------


def test_initial_state_from_a_model_input():
    x = x_data()
    h0 = RNG.uniform(-1, 1, (3, 6)).astype(np.float32)
    inp, state = layers.Input((5, 4)), layers.Input((6,))
    layer = layers.SimpleRNN(6, return_sequences=True)
    model = keras.Model([inp, state], layer(inp, initial_state=state))
    want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(layer), h0=h0.astype(np.float64))
    np.testing.assert_allclose(model.predict([x, h0]), want, atol=2e-6)
    fused, unrolled, _ = both_lowerings(layer, x, initial_state=[h0])
    np.testing.assert_allclose(unrolled[0], want, atol=2e-6)
    np.testing.assert_allclose(fused[0], want, atol=2e-6)


def test_initial_state_of_the_wrong_size_names_the_layer():
    layer = layers.SimpleRNN(6, name="rnn_a")
    with pytest.raises(ValueError, match=r"Layer 'rnn_a' expected initial_state to be 1 tensor\(s\) of "
                                         r"shape\(s\) \(None, 6\).*got 1 of shape\(s\) \(3, 4\)"):
        layer(x_data(), initial_state=[np.zeros((3, 4), np.float32)])
    with pytest.raises(ValueError, match="expected initial_state to be 1 tensor"):
        layer(x_data(), initial_state=[np.zeros((3, 6), np.float32)] * 2)


# -- masks ------------------------------------------------------------------------------------

MASK = np.array([[1, 1, 0, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output_for_mask", [False, True])
def test_masked_steps_carry_state_and_output(go_backwards, zero_output_for_mask):
    x = x_data()
    layer = layers.RNN(layers.SimpleRNNCell(4), return_sequences=True, return_state=True,
                       go_backwards=go_backwards, zero_output_for_mask=zero_output_for_mask)
    layer.build((None, 5, 4))
    seq, h = simple_rnn_ref(x.astype(np.float64), *weights64(layer), mask=MASK, go_backwards=go_backwards,
                            zero_output_for_mask=zero_output_for_mask)
    for training_trace in (False, True):  # a mask unrolls in inference programs too (exact for any mask)
        (out, state), _ = run_traced(layer, x, training_trace, mask=MASK)
        np.testing.assert_allclose(out, seq, atol=2e-6)
        np.testing.assert_allclose(state, h, atol=2e-6)
    eager = layer(x, mask=MASK)
    np.testing.assert_allclose(eager[0], seq, atol=2e-6)


def test_mask_propagates_only_with_return_sequences():
    layer = layers.SimpleRNN(3, return_sequences=True)
    m = np.ones((2, 5), bool)
    assert layer.compute_mask(None, m) is m
    assert layers.SimpleRNN(3).compute_mask(None, m) is None
    assert layers.SimpleRNN(3, return_state=True, return_sequences=True).compute_mask(None, m) == [m, None]


def test_mask_flows_from_masking_layer_into_the_rnn_and_the_loss():
    """A mask made by Masking rides on the tensor into the RNN (Keras's _keras_mask)."""
    x = x_data()
    x[MASK == 0] = 0.0
    inp = layers.Input((5, 4))
    rnn = layers.SimpleRNN(4)
    model = keras.Model(inp, rnn(layers.Masking(0.0)(inp)))
    want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(rnn), mask=MASK)
    np.testing.assert_allclose(model.predict(x), want[:, -1], atol=2e-6)


def test_mask_of_the_wrong_shape_names_the_layer():
    with pytest.raises(ValueError, match=r"Layer 'rnn_m' expected a mask of shape \(None, 5\)"):
        layers.SimpleRNN(3, name="rnn_m")(x_data(), mask=np.ones((3, 4), bool))


# -- user-written and stacked cells ------------------------------------------------------------


class MinimalRNNCell(layers.Layer):
    """The cell of Keras's RNN docstring."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = ops.add(ops.matmul(inputs, self.kernel), ops.matmul(states[0], self.recurrent_kernel))
        return output, [output]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_user_cell_unrolls_in_every_program_and_trains():
    x = x_data(batch=8)
    layer = layers.RNN(MinimalRNNCell(4), return_sequences=True)
    layer.build((None, 5, 4))
    k, rk = weights64(layer)
    want, _ = simple_rnn_ref(x.astype(np.float64), k, rk, act=lambda z: z)
    fused, unrolled, _ = both_lowerings(layer, x)
    np.testing.assert_allclose(fused[0], want, atol=2e-6)
    np.testing.assert_allclose(unrolled[0], want, atol=2e-6)
    model = keras.Sequential([layers.Input((5, 4)), layer, layers.Flatten(), layers.Dense(1)])
    model.compile("adam", "mse")
    before = [w.copy() for w in layer.get_weights()]
    history = model.fit(x, np.ones((8, 1), np.float32), epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(not np.allclose(a, b) for a, b in zip(before, layer.get_weights()))


def test_user_cell_runs_over_a_dynamic_number_of_timesteps():
    """No fused form and no fixed length: one Scan, for any length, in predict, fit and export."""
    layer = layers.RNN(MinimalRNNCell(4), return_sequences=True, name="rnn_u")
    model = keras.Sequential([layers.Input((None, 4)), layer])
    k, rk = weights64(layer)
    for steps in (3, 8):
        x = x_data(batch=2, steps=steps)
        want, _ = simple_rnn_ref(x.astype(np.float64), k, rk, act=lambda z: z)
        np.testing.assert_allclose(model.predict(x, verbose=0), want, atol=2e-6)
    model.compile("sgd", "mse")
    model.fit(x_data(batch=4, steps=6), np.zeros((4, 6, 4), np.float32), verbose=0)
    assert not np.allclose(layer.get_weights()[0], k)


def test_unroll_true_needs_a_fixed_number_of_timesteps():
    inp = layers.Input((None, 4))
    with pytest.raises(ValueError, match=r"Layer 'rnn_u' needs a fixed number of timesteps with cell "
                                         r"MinimalRNNCell"):
        layers.RNN(MinimalRNNCell(4), unroll=True, name="rnn_u")(inp)


def test_stacked_cells_match_two_layers_and_group_states():
    x = x_data()
    cells = [layers.SimpleRNNCell(5), layers.LSTMCell(3)]
    layer = layers.RNN(cells, return_sequences=True, return_state=True)
    layer.build((None, 5, 4))
    assert isinstance(layer.cell, layers.StackedRNNCells)
    assert layer.cell.state_size == [5, [3, 3]] and layer.cell.output_size == 3
    k1, rk1, b1, k2, rk2, b2 = weights64(layer)
    seq1, h1 = simple_rnn_ref(x.astype(np.float64), k1, rk1, b1)
    # the LSTM cell over the first cell's outputs (Keras's equations, gates [i, f, c, o])
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = c = np.zeros((3, 3))
    seq2 = []
    for t in range(5):
        i, f, cc, o = np.split(seq1[:, t] @ k2 + h @ rk2 + b2, 4, axis=-1)
        c = sig(f) * c + sig(i) * np.tanh(cc)
        h = sig(o) * np.tanh(c)
        seq2.append(h)
    for training_trace in (False, True):
        (out, s1, s2h, s2c), used = run_traced(layer, x, training_trace)
        np.testing.assert_allclose(out, np.stack(seq2, 1), atol=2e-6)
        np.testing.assert_allclose(s1, h1, atol=2e-6)
        np.testing.assert_allclose(s2h, h, atol=2e-6)
        np.testing.assert_allclose(s2c, c, atol=2e-6)
        if not training_trace:
            assert {"RNN", "LSTM"} <= used
    shapes = layer.compute_output_shape((None, 5, 4))
    assert shapes == [(None, 5, 3), (None, 5), [(None, 3), (None, 3)]]
    # the cell on its own, one step, Keras's StackedRNNCells.call API
    out, states = layer.cell(x[:, 0], [np.zeros((3, 5), np.float32), [np.zeros((3, 3), np.float32)] * 2])
    np.testing.assert_allclose(out, np.stack(seq2, 1)[:, 0], atol=2e-6)
    assert len(states) == 2 and len(states[1]) == 2


# -- statefulness -----------------------------------------------------------------------------


def test_stateful_states_persist_across_batches_and_reset():
    batch = 4
    layer = layers.SimpleRNN(3, stateful=True)
    model = keras.Sequential([layers.Input(batch_shape=(batch, 5, 2)), layer])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    assert len(layer.states) == 1 and layer.states[0].shape == (batch, 3)
    assert [w.shape for w in layer.trainable_weights] == [(2, 3), (3, 3), (3,)]
    k, rk, b = [w.numpy().astype(np.float64) for w in layer.trainable_weights]
    x1, x2 = RNG.uniform(-1, 1, (2, batch, 5, 2)).astype(np.float32)
    y = np.zeros((batch, 3), np.float32)
    _, h1 = simple_rnn_ref(x1.astype(np.float64), k, rk, b)
    _, h2 = simple_rnn_ref(x2.astype(np.float64), k, rk, b, h0=h1)
    model.train_on_batch(x1, y)
    np.testing.assert_allclose(layer.states[0].numpy(), h1, atol=2e-6)
    model.train_on_batch(x2, y)  # starts from the state batch 1 left
    np.testing.assert_allclose(layer.states[0].numpy(), h2, atol=2e-6)
    # predict starts from the current state and carries it on, as Keras does
    _, want = simple_rnn_ref(x1.astype(np.float64), k, rk, b, h0=h2)
    np.testing.assert_allclose(model.predict(x1, batch_size=batch), want, atol=2e-6)
    np.testing.assert_allclose(layer.states[0].numpy(), want, atol=2e-6)
    _, h3 = simple_rnn_ref(x2.astype(np.float64), k, rk, b, h0=want)
    np.testing.assert_allclose(model.predict(x2, batch_size=batch), h3, atol=2e-6)
    h2 = h3
    model.reset_states()
    np.testing.assert_array_equal(layer.states[0].numpy(), 0.0)
    model.train_on_batch(x1, y)
    np.testing.assert_allclose(layer.states[0].numpy(), h1, atol=2e-6)
    layer.reset_states([np.ones((batch, 3))])
    np.testing.assert_array_equal(layer.states[0].numpy(), 1.0)
    layer.reset_state()
    np.testing.assert_array_equal(layer.states[0].numpy(), 0.0)
    # As in Keras 3, the states are not weights: get_weights/set_weights (and weight files)
    # hold the cell's three, and setting them keeps the states.
    layer.reset_states([np.ones((batch, 3))])
    assert [w.shape for w in layer.get_weights()] == [(2, 3), (3, 3), (3,)]
    assert [w.shape for w in model.get_weights()] == [(2, 3), (3, 3), (3,)]
    model.set_weights(model.get_weights())
    np.testing.assert_array_equal(layer.states[0].numpy(), 1.0)


def test_stateful_layer_called_on_numpy_advances_its_states():
    """As in Keras: each eager call starts from the states the previous one left (one program,
    the states fed to it), and reset_states() starts over."""
    batch = 3
    layer = layers.SimpleRNN(4, stateful=True)
    layer.build((batch, 5, 2))
    k, rk, b = [w.numpy().astype(np.float64) for w in layer.trainable_weights]
    x1, x2 = RNG.uniform(-1, 1, (2, batch, 5, 2)).astype(np.float32)
    _, h1 = simple_rnn_ref(x1.astype(np.float64), k, rk, b)
    _, h2 = simple_rnn_ref(x2.astype(np.float64), k, rk, b, h0=h1)
    np.testing.assert_allclose(layer(x1), h1, atol=2e-6)
    np.testing.assert_allclose(layer.states[0].numpy(), h1, atol=2e-6)
    programs = dict(layer._eager_programs)
    np.testing.assert_allclose(layer(x2), h2, atol=2e-6)
    np.testing.assert_allclose(layer.states[0].numpy(), h2, atol=2e-6)
    assert layer._eager_programs == programs  # no recompiling as the states change
    layer.reset_states()
    np.testing.assert_allclose(layer(x1), h1, atol=2e-6)


def test_stateful_fit_carries_state_between_steps():
    """fit(shuffle=False) over two batches equals the recurrence over the concatenated sequence."""
    batch = 2
    layer = layers.SimpleRNN(3, stateful=True)
    model = keras.Sequential([layers.Input(batch_shape=(batch, 4, 2)), layer])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    k, rk, b = [w.numpy().astype(np.float64) for w in layer.trainable_weights]
    long = RNG.uniform(-1, 1, (batch, 8, 2)).astype(np.float32)
    x = np.concatenate([long[:, :4], long[:, 4:]])  # batch 1 = first halves, batch 2 = second halves
    model.fit(x, np.zeros((2 * batch, 3), np.float32), batch_size=batch, shuffle=False, verbose=0)
    _, want = simple_rnn_ref(long.astype(np.float64), k, rk, b)
    np.testing.assert_allclose(layer.states[0].numpy(), want, atol=2e-6)


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ValueError, match="Layer 'rnn_s' is stateful, so it needs a fixed batch size"):
        keras.Sequential([layers.Input((5, 2)), layers.SimpleRNN(3, stateful=True, name="rnn_s")])


# -- dropout ------------------------------------------------------------------------------------


def _training_outputs(layer, x):
    g = Graph("t")
    xv = g.input(x.shape, x.dtype, "x")
    trace = Trace(g, training=True, variables="constants")
    with trace.active():
        out = layer(xv, training=True)
    g.outputs, g.output_names = [out], ["out"]
    return Program(to_onnx(optimize(g)).SerializeToString())(x)[0]


def test_dropout_mask_is_drawn_once_per_sequence():
    """With kernel = I, no recurrence and a linear activation, every timestep's output is the
    input times the same mask: the same features are dropped at every step."""
    layer = layers.SimpleRNN(6, activation=None, dropout=0.5, use_bias=False, return_sequences=True)
    layer.build((None, 5, 6))
    layer.set_weights([np.eye(6), np.zeros((6, 6))])
    x = np.ones((64, 5, 6), np.float32)
    out = _training_outputs(layer, x)
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.3 < (out == 0).mean() < 0.7
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1], out.shape))
    assert not np.array_equal(out[0, 0], out[1, 0]) or not np.array_equal(out[2, 0], out[3, 0])
    np.testing.assert_array_equal(layer(x), x)  # no dropout at inference


def test_recurrent_dropout_mask_is_drawn_once_per_sequence():
    """h_t = x_t + (h_{t-1} * m) with x = [1, 0, 0, ...]: h_t = m^t, so the zeros of every step
    after the first are the mask's."""
    layer = layers.SimpleRNN(6, activation=None, recurrent_dropout=0.5, use_bias=False, return_sequences=True)
    layer.build((None, 4, 6))
    layer.set_weights([np.eye(6), np.eye(6)])
    x = np.zeros((32, 4, 6), np.float32)
    x[:, 0] = 1.0
    out = _training_outputs(layer, x)
    zeros = out[:, 1] == 0
    assert 0.2 < zeros.mean() < 0.8
    for t in (2, 3):
        np.testing.assert_array_equal(out[:, t] == 0, zeros)
        np.testing.assert_allclose(out[:, t][~zeros], 2.0 ** t)


# -- gradients through time (float64) -----------------------------------------------------------


def gradient_check(layer, x, call_kwargs=None, tol=1e-6, eps=1e-6, reference=None):
    """d loss / d (x and every weight) of loss = sum(outputs * w), from horn's backward graph
    run on onnxruntime in float64, against central differences of `reference(x, *weights)`."""
    layer.build(x.shape)
    weights = [w.numpy().astype(np.float64) for w in layer.weights]
    g = Graph("grad")
    xv = g.input(x.shape, np.float64, "x")
    wv = [g.input(w.shape, np.float64, f"w{i}") for i, w in enumerate(weights)]
    trace = Trace(g, training=True, variables="inputs", bound={id(v): val for v, val in zip(layer.weights, wv)})
    probe_rng = np.random.default_rng(3)
    with trace.active():
        outs = flatten(layer(xv, training=False, **(call_kwargs or {})))
        probes = [probe_rng.standard_normal(o.shape) for o in outs]
        loss = None
        for o, p in zip(outs, probes):
            term = ops.sum(ops.multiply(o, p))
            loss = term if loss is None else ops.add(loss, term)
        grads = gradients(g, loss, [xv] + wv)
    g.outputs = [loss] + grads
    g.output_names = ["loss"] + [f"d{i}" for i in range(len(grads))]
    got = Program(to_onnx(optimize(g, verify=True)).SerializeToString())(x, *weights)

    def f(values):
        return sum(float(np.sum(o * p)) for o, p in zip(reference(*values), probes))

    base = [x.astype(np.float64)] + weights
    np.testing.assert_allclose(got[0], f(base), rtol=1e-10)
    for i, (value, grad) in enumerate(zip(base, got[1:])):
        want = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = [v.copy() for v in base], [v.copy() for v in base]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            want[idx] = (f(plus) - f(minus)) / (2 * eps)
        np.testing.assert_allclose(grad, want, atol=tol, rtol=tol, err_msg=f"gradient {i}")


@pytest.mark.parametrize("go_backwards", [False, True])
def test_simple_rnn_gradients_through_time(go_backwards):
    x = RNG.uniform(-1, 1, (2, 4, 3))
    layer = layers.SimpleRNN(3, dtype="float64", return_sequences=True, return_state=True,
                             go_backwards=go_backwards, bias_initializer="random_normal")

    def reference(xs, k, rk, b):
        seq, h = simple_rnn_ref(xs, k, rk, b, go_backwards=go_backwards)
        return [seq, h]

    gradient_check(layer, x, reference=reference)


def test_masked_gradients_through_time():
    x = RNG.uniform(-1, 1, (3, 5, 2))
    layer = layers.SimpleRNN(2, dtype="float64", return_sequences=True)

    def reference(xs, k, rk, b):
        return [simple_rnn_ref(xs, k, rk, b, mask=MASK)[0]]

    gradient_check(layer, x, call_kwargs={"mask": MASK}, reference=reference)


# -- programs: fit, export, a dynamic time axis ---------------------------------------------


def test_fit_then_export_has_the_fused_op_and_equals_predict(tmp_path):
    x = x_data(batch=16, steps=6, features=3)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.float32)[:, None]
    model = keras.Sequential([layers.Input((6, 3)), layers.SimpleRNN(5), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "rnn.onnx"
    model.export(str(path), verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert "RNN" in {n.op_type for n in proto.graph.node}
    (exported,) = Program(proto.SerializeToString())(x)
    np.testing.assert_allclose(exported, model.predict(x), atol=1e-6)


def test_dynamic_time_axis_predicts_exports_and_trains_on_fixed_length_data(tmp_path):
    model = keras.Sequential([layers.Input((None, 3)), layers.SimpleRNN(4, go_backwards=True,
                                                                         return_sequences=True)])
    rnn = model.layers[0]
    for steps in (3, 7):
        x = x_data(batch=2, steps=steps, features=3)
        want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(rnn), go_backwards=True)
        np.testing.assert_allclose(model.predict(x), want, atol=2e-6)
    path = tmp_path / "dyn.onnx"
    model.export(str(path), verbose=False)
    proto = onnx.load(str(path))
    assert "RNN" in {n.op_type for n in proto.graph.node}
    for steps in (2, 9):
        x = x_data(batch=3, steps=steps, features=3)
        want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(rnn), go_backwards=True)
        np.testing.assert_allclose(Program(proto.SerializeToString())(x)[0], want, atol=2e-6)
    model.compile("sgd", "mse")
    model.fit(x_data(4, 5, 3), np.zeros((4, 5, 4), np.float32), verbose=0)  # the data fixes T = 5


def test_dynamic_time_axis_with_a_mask():
    """A mask over a dynamic number of timesteps loops (Scan); unroll=True asks for a length."""
    layer = layers.SimpleRNN(2, name="rnn_d", return_sequences=True)
    g = Graph("t")
    xv = g.input((None, None, 3), np.float32, "x")
    mv = g.input((None, None), np.bool_, "m")
    with Trace(g, training=False, variables="constants").active():
        out = layer(xv, mask=mv)
    g.outputs, g.output_names = [out], ["y"]
    program = Program(to_onnx(optimize(g)).SerializeToString())
    for steps in (4, 7):
        x = x_data(batch=3, steps=steps, features=3)
        mask = RNG.uniform(size=(3, steps)) > 0.3
        want, _ = simple_rnn_ref(x.astype(np.float64), *weights64(layer), mask=mask)
        np.testing.assert_allclose(program(x, mask)[0], want, atol=2e-6)
    layer.unroll = True
    with Trace(g, training=False, variables="constants").active():
        with pytest.raises(ValueError, match="Layer 'rnn_d' needs a fixed number of timesteps with a mask"):
            layer(xv, mask=mv)


# -- arguments, config, errors ---------------------------------------------------------------


def test_config_round_trips():
    layer = layers.SimpleRNN(7, activation="relu", dropout=0.25, return_sequences=True, go_backwards=True,
                             name="s1")
    config = layer.get_config()
    assert config["units"] == 7 and config["activation"] == "relu" and config["return_sequences"]
    assert "cell" not in config and config["name"] == "s1"
    clone = layers.SimpleRNN.from_config(config)
    assert clone.get_config() == config
    rnn = layers.RNN([layers.SimpleRNNCell(3), layers.GRUCell(2)], return_state=True)
    config = rnn.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    clone = layers.RNN.from_config(config)
    assert [type(c).__name__ for c in clone.cell.cells] == ["SimpleRNNCell", "GRUCell"]
    assert clone.return_state


def test_two_dimensional_input_names_the_layer():
    with pytest.raises(ValueError, match=r"Input 0 of layer 'srnn_2d' \(SimpleRNN\) is incompatible with the "
                                         r"layer: expected ndim=3, found ndim=2"):
        layers.SimpleRNN(3, name="srnn_2d")(np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match="expected min_ndim=3"):
        layers.RNN(layers.SimpleRNNCell(3))(layers.Input((4,)))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"SimpleRNNCell\(units=...\) needs a positive integer, got 0"):
        layers.SimpleRNN(0)
    with pytest.raises(TypeError, match="Keras 1 argument 'output_dim': use 'units'"):
        layers.SimpleRNN(3, output_dim=3)
    with pytest.raises(ValueError, match="needs a cell with a `state_size`"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(TypeError, match=r"dropout=...\) must be a number"):
        layers.SimpleRNN(3, dropout="half")


def test_linear_simple_rnn_trains_over_a_loop():
    """activation=None over 12 steps (a loop): the backward loop carries only d_h R^T."""
    keras.config.set_random_seed(3)  # (a linear recurrence can blow up from unlucky weights)
    x = np.random.default_rng(3).uniform(-1, 1, (4, 12, 3)).astype(np.float32)
    layer = layers.SimpleRNN(4, activation=None)
    model = keras.Sequential([layers.Input((12, 3)), layer, layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.001), "mse")
    before = [w.copy() for w in layer.get_weights()]
    losses = [model.train_on_batch(x, np.ones((4, 1), np.float32)) for _ in range(3)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    assert all(not np.allclose(a, b) for a, b in zip(before, layer.get_weights()))
