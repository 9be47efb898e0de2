"""LSTM and GRU: outputs against numpy transcriptions of Keras's equations (both recurrent
activations, GRU reset_after both ways, go_backwards, return_sequences/return_state,
initial_state, masks, stateful), the fused ONNX lowering against the unrolled one (1e-5),
gradients through time against finite differences (float64; float32 for hard_sigmoid, which
onnxruntime runs in float32 only), dropout masks, export, configs and errors."""

import numpy as np
import onnx
import pytest

import horn as keras
from horn import layers, ops
from horn.compiler import Graph, gradients, optimize, to_onnx
from horn.frontend.tracing import Trace, flatten
from horn.runtime import Program

# Every test runs with recurrences unrolled (as chosen for these short sequences) and looped.
pytestmark = pytest.mark.usefixtures("recurrence_lowering")

RNG = np.random.default_rng(11)


# -- numpy transcriptions of Keras 3 ----------------------------------------------------------


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


RECURRENT_ACTIVATIONS = {
    "sigmoid": sigmoid,
    "hard_sigmoid": lambda z: np.clip(z / 6 + 0.5, 0, 1),  # Keras 3: relu6(x + 3) / 6
    "hard_sigmoid_keras2": lambda z: np.clip(0.2 * z + 0.5, 0, 1),  # Keras 2
}


def run_cell(step, x, states, mask=None, go_backwards=False):
    """Keras's rnn loop: masked steps keep the states and repeat the previous output."""
    steps = x.shape[1]
    outputs, prev = [], states[0]
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        out, new = step(x[:, t], states)
        if mask is not None:
            m = mask[:, t:t + 1]
            new = [np.where(m, n, s) for n, s in zip(new, states)]
            out = np.where(m, out, prev)
        states, prev = new, out
        outputs.append(out)
    return np.stack(outputs, 1), states


def lstm_ref(x, kernel, recurrent_kernel, bias=None, states=None, ract=sigmoid, act=np.tanh, **kw):
    units = recurrent_kernel.shape[0]
    states = states or [np.zeros((x.shape[0], units))] * 2

    def step(xt, s):
        h, c = s
        i, f, cc, o = np.split(xt @ kernel + h @ recurrent_kernel + (0 if bias is None else bias), 4, axis=-1)
        c = ract(f) * c + ract(i) * act(cc)
        h = ract(o) * act(c)
        return h, [h, c]

    return run_cell(step, x, states, **kw)


def gru_ref(x, kernel, recurrent_kernel, bias=None, states=None, reset_after=True, ract=sigmoid, act=np.tanh,
            **kw):
    u = recurrent_kernel.shape[0]
    states = states or [np.zeros((x.shape[0], u))]
    if bias is None:
        b_in, b_rec = 0.0, np.zeros(3 * u)
    elif reset_after:
        b_in, b_rec = bias[0], bias[1]
    else:
        b_in, b_rec = bias, np.zeros(3 * u)
    r_z, r_r, r_h = np.split(recurrent_kernel, 3, axis=1)

    def step(xt, s):
        (h,) = s
        x_z, x_r, x_h = np.split(xt @ kernel + b_in, 3, axis=-1)
        z = ract(x_z + h @ r_z + b_rec[:u])
        r = ract(x_r + h @ r_r + b_rec[u:2 * u])
        hh = act(x_h + r * (h @ r_h + b_rec[2 * u:])) if reset_after else act(x_h + (r * h) @ r_h)
        h = z * h + (1 - z) * hh
        return h, [h]

    return run_cell(step, x, states, **kw)


def weights64(layer):
    return [w.numpy().astype(np.float64) for w in layer.weights]


def randomize(layer, scale=0.5):
    """Give every weight (the biases too) random values, so that each one matters."""
    layer.set_weights([RNG.uniform(-scale, scale, w.shape) for w in layer.weights])


def run_traced(layer, x, training_trace, **kwargs):
    """layer(x) in an inference trace (fused ops) or a training trace (unrolled), on onnxruntime."""
    g = Graph("t")
    xv = g.input((None,) + x.shape[1:], x.dtype, "x")
    with Trace(g, training=training_trace, variables="constants").active():
        out = layer(xv, training=False, **kwargs)
    g.outputs = flatten(out)
    g.output_names = [f"out{i}" for i in range(len(g.outputs))]
    graph = optimize(g)
    return Program(to_onnx(graph).SerializeToString())(x), {n.op_type for n in graph.nodes()}


def x_data(batch=3, steps=5, features=4):
    return RNG.uniform(-1, 1, (batch, steps, features)).astype(np.float32)


# -- LSTM ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("recurrent_activation", list(RECURRENT_ACTIVATIONS))
@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_matches_keras_equations_in_both_lowerings(recurrent_activation, go_backwards):
    x = x_data()
    layer = layers.LSTM(6, recurrent_activation=recurrent_activation, return_sequences=True, return_state=True,
                        go_backwards=go_backwards)
    layer.build((None, 5, 4))
    randomize(layer)
    seq, (h, c) = lstm_ref(x.astype(np.float64), *weights64(layer), ract=RECURRENT_ACTIVATIONS[recurrent_activation],
                           go_backwards=go_backwards)
    fused, fused_ops = run_traced(layer, x, False)
    unrolled, unrolled_ops = run_traced(layer, x, True)
    assert "LSTM" in fused_ops and "LSTM" not in unrolled_ops
    for got in (fused, unrolled):
        for value, want in zip(got, (seq, h, c)):
            np.testing.assert_allclose(value, want, atol=2e-6)
    for a, b in zip(fused, unrolled):  # the two lowerings agree
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_lstm_initial_state_and_no_bias():
    x = x_data()
    h0, c0 = RNG.uniform(-1, 1, (2, 3, 5)).astype(np.float32)
    layer = layers.LSTM(5, use_bias=False, return_state=True)
    layer.build((None, 5, 4))
    assert [w.shape for w in layer.weights] == [(4, 20), (5, 20)]
    _, (h, c) = lstm_ref(x.astype(np.float64), *weights64(layer), states=[h0.astype(np.float64),
                                                                         c0.astype(np.float64)])
    for training_trace in (False, True):
        (out, h_, c_), _ = run_traced(layer, x, training_trace, initial_state=[h0, c0])
        np.testing.assert_allclose(out, h, atol=2e-6)
        np.testing.assert_allclose(h_, h, atol=2e-6)
        np.testing.assert_allclose(c_, c, atol=2e-6)


def test_lstm_weights_layout_and_unit_forget_bias():
    layer = layers.LSTM(3)
    layer.build((None, 7, 2))
    assert [(w.path, w.shape) for w in layer.weights] == [
        (f"{layer.name}/lstm_cell/kernel", (2, 12)), (f"{layer.name}/lstm_cell/recurrent_kernel", (3, 12)),
        (f"{layer.name}/lstm_cell/bias", (12,))]
    np.testing.assert_array_equal(layer.weights[2].numpy(), [0] * 3 + [1] * 3 + [0] * 6)  # [i, f, c, o]
    plain = layers.LSTM(3, unit_forget_bias=False)
    plain.build((None, 7, 2))
    np.testing.assert_array_equal(plain.weights[2].numpy(), 0)


def test_lstm_masks():
    x = x_data()
    mask = np.array([[1, 0, 1, 1, 0], [0, 0, 0, 1, 1], [1, 1, 1, 1, 1]], bool)
    layer = layers.LSTM(4, return_sequences=True, return_state=True)
    layer.build((None, 5, 4))
    randomize(layer)
    seq, (h, c) = lstm_ref(x.astype(np.float64), *weights64(layer), mask=mask)
    for training_trace in (False, True):
        got, _ = run_traced(layer, x, training_trace, mask=mask)
        for value, want in zip(got, (seq, h, c)):
            np.testing.assert_allclose(value, want, atol=2e-6)


def test_stateful_lstm_carries_h_and_c():
    batch = 2
    layer = layers.LSTM(3, stateful=True)
    model = keras.Sequential([layers.Input(batch_shape=(batch, 4, 2)), layer])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    assert [s.shape for s in layer.states] == [(batch, 3), (batch, 3)]
    weights = [w.numpy().astype(np.float64) for w in layer.trainable_weights]
    x1, x2 = RNG.uniform(-1, 1, (2, batch, 4, 2)).astype(np.float32)
    model.train_on_batch(x1, np.zeros((batch, 3), np.float32))
    model.train_on_batch(x2, np.zeros((batch, 3), np.float32))
    _, states = lstm_ref(x1.astype(np.float64), *weights)
    _, (h, c) = lstm_ref(x2.astype(np.float64), *weights, states=states)
    np.testing.assert_allclose(layer.states[0].numpy(), h, atol=2e-6)
    np.testing.assert_allclose(layer.states[1].numpy(), c, atol=2e-6)
    model.reset_states()
    assert all(np.all(s.numpy() == 0) for s in layer.states)


# -- GRU ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("recurrent_activation", ["sigmoid", "hard_sigmoid"])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_gru_matches_keras_equations_in_both_lowerings(reset_after, recurrent_activation, go_backwards):
    x = x_data()
    layer = layers.GRU(5, reset_after=reset_after, recurrent_activation=recurrent_activation, return_sequences=True,
                       return_state=True, go_backwards=go_backwards)
    layer.build((None, 5, 4))
    assert layer.weights[2].shape == ((2, 15) if reset_after else (15,))
    randomize(layer)
    seq, (h,) = gru_ref(x.astype(np.float64), *weights64(layer), reset_after=reset_after,
                        ract=RECURRENT_ACTIVATIONS[recurrent_activation], go_backwards=go_backwards)
    fused, fused_ops = run_traced(layer, x, False)
    unrolled, unrolled_ops = run_traced(layer, x, True)
    assert "GRU" in fused_ops and "GRU" not in unrolled_ops
    for got in (fused, unrolled):
        np.testing.assert_allclose(got[0], seq, atol=2e-6)
        np.testing.assert_allclose(got[1], h, atol=2e-6)
    for a, b in zip(fused, unrolled):
        np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_initial_state_masks_and_no_bias(reset_after):
    x = x_data()
    h0 = RNG.uniform(-1, 1, (3, 4)).astype(np.float32)
    mask = np.array([[1, 1, 0, 0, 0], [0, 1, 0, 1, 1], [1, 1, 1, 1, 1]], bool)
    for use_bias in (True, False):
        layer = layers.GRU(4, reset_after=reset_after, use_bias=use_bias, return_sequences=True)
        layer.build((None, 5, 4))
        randomize(layer)
        want, _ = gru_ref(x.astype(np.float64), *weights64(layer), states=[h0.astype(np.float64)],
                          reset_after=reset_after, mask=mask)
        for training_trace in (False, True):
            (got,), _ = run_traced(layer, x, training_trace, initial_state=[h0], mask=mask)
            np.testing.assert_allclose(got, want, atol=2e-6)
        no_mask, _ = gru_ref(x.astype(np.float64), *weights64(layer), states=[h0.astype(np.float64)],
                             reset_after=reset_after)
        (fused,), used = run_traced(layer, x, False, initial_state=[h0])
        assert "GRU" in used
        np.testing.assert_allclose(fused, no_mask, atol=2e-6)


# -- gradients through time ---------------------------------------------------------------------


def gradient_check(layer, x, reference, dtype=np.float64, tol=1e-6, call_kwargs=None):
    """Gradients of loss = sum(outputs * probes) w.r.t. x and every weight, from horn's backward
    graph on onnxruntime, against central differences of the float64 numpy `reference`."""
    layer.build(x.shape)
    randomize(layer)
    weights = [w.numpy().astype(np.float64) for w in layer.weights]
    g = Graph("grad")
    xv = g.input(x.shape, dtype, "x")
    wv = [g.input(w.shape, dtype, f"w{i}") for i, w in enumerate(weights)]
    probe_rng = np.random.default_rng(5)
    with Trace(g, training=True, variables="inputs", bound={id(v): val for v, val in zip(layer.weights, wv)}).active():
        outs = flatten(layer(xv, training=False, **(call_kwargs or {})))
        probes = [probe_rng.standard_normal(o.shape) for o in outs]
        loss = None
        for o, p in zip(outs, probes):
            term = ops.sum(ops.multiply(o, p.astype(dtype)))
            loss = term if loss is None else ops.add(loss, term)
        grads = gradients(g, loss, [xv] + wv)
    g.outputs = [loss] + grads
    g.output_names = ["loss"] + [f"d{i}" for i in range(len(grads))]
    base = [x.astype(np.float64)] + weights
    got = Program(to_onnx(optimize(g, verify=True)).SerializeToString())(*[v.astype(dtype) for v in base])

    def f(values):
        return sum(float(np.sum(o * p)) for o, p in zip(reference(*values), probes))

    np.testing.assert_allclose(got[0], f(base), rtol=tol, atol=tol)
    eps = 1e-6
    for i, (value, grad) in enumerate(zip(base, got[1:])):
        want = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = [v.copy() for v in base], [v.copy() for v in base]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            want[idx] = (f(plus) - f(minus)) / (2 * eps)
        np.testing.assert_allclose(grad, want, atol=tol, rtol=tol, err_msg=f"d loss / d input {i}")


@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_gradients_through_time(go_backwards):
    x = RNG.uniform(-1, 1, (2, 4, 3))
    layer = layers.LSTM(3, dtype="float64", return_sequences=True, return_state=True, go_backwards=go_backwards)

    def reference(xs, k, rk, b):
        seq, (h, c) = lstm_ref(xs, k, rk, b, go_backwards=go_backwards)
        return [seq, h, c]

    gradient_check(layer, x, reference)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gradients_through_time(reset_after):
    x = RNG.uniform(-1, 1, (2, 4, 3))
    mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], bool)
    layer = layers.GRU(3, dtype="float64", reset_after=reset_after, return_sequences=True)

    def reference(xs, k, rk, b):
        return [gru_ref(xs, k, rk, b, reset_after=reset_after, mask=mask)[0]]

    gradient_check(layer, x, reference, call_kwargs={"mask": mask})


def test_hard_sigmoid_lstm_gradients_float32():
    """HardSigmoid has no double kernel in onnxruntime: float32 graph, float64 finite
    differences, tolerance 2e-4. Small weights keep every gate inside hard_sigmoid's linear
    part (|z| < 3), away from its kinks."""
    x = RNG.uniform(-0.5, 0.5, (2, 3, 3))
    layer = layers.LSTM(2, recurrent_activation="hard_sigmoid", return_sequences=True)

    def reference(xs, k, rk, b):
        return [lstm_ref(xs, k, rk, b, ract=RECURRENT_ACTIVATIONS["hard_sigmoid"])[0]]

    gradient_check(layer, x, reference, dtype=np.float32, tol=2e-4)


# -- dropout ------------------------------------------------------------------------------------


def _training_graph(layer, shape):
    g = Graph("t")
    xv = g.input(shape, np.float32, "x")
    with Trace(g, training=True, variables="constants").active():
        out = layer(xv, training=True)
    g.outputs, g.output_names = [out], ["out"]
    return g


@pytest.mark.parametrize("cls, kwargs, masks", [
    (layers.LSTM, dict(dropout=0.3), 1),  # Keras 3: one input mask (implementation 2)
    (layers.LSTM, dict(dropout=0.3, recurrent_dropout=0.2), 8),  # one per gate, inputs and state
    (layers.LSTM, dict(recurrent_dropout=0.2), 4),
    (layers.GRU, dict(dropout=0.3), 1),
    (layers.GRU, dict(dropout=0.3, recurrent_dropout=0.2), 6),
    (layers.SimpleRNN, dict(dropout=0.3, recurrent_dropout=0.2), 2),
])
def test_dropout_masks_are_drawn_once_per_sequence_and_gate(cls, kwargs, masks):
    layer = cls(4, **kwargs)
    g = optimize(_training_graph(layer, (8, 6, 3)))
    assert sum(n.op_type == "Dropout" for n in g.nodes()) == masks  # not one per timestep
    out = Program(to_onnx(g).SerializeToString())(x_data(8, 6, 3))[0]
    assert out.shape == (8, 4) and np.isfinite(out).all()
    # inference is deterministic and has no Dropout
    np.testing.assert_array_equal(layer(x_data(2, 6, 3) * 0), layer(x_data(2, 6, 3) * 0))


@pytest.mark.parametrize("cls", [layers.LSTM, layers.GRU, layers.SimpleRNN])
@pytest.mark.parametrize("kwargs", [dict(dropout=0.5), dict(recurrent_dropout=0.5)])
def test_dropout_is_active_in_the_training_program(cls, kwargs):
    """Through fit's own program (onnxruntime fully optimized, as fit runs it): with a zero
    learning rate the weights stay, so the training losses differ from each other and from
    evaluate's only through the dropout masks (onnxruntime's EliminateDropout once made them
    all ones here)."""
    x = x_data(32, 6, 4)
    y = RNG.standard_normal((32, 1)).astype(np.float32)
    model = keras.Sequential([layers.Input((6, 4)), cls(8, **kwargs), layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.0), "mse")
    losses = [float(model.train_on_batch(x, y)) for _ in range(3)]
    assert len(set(losses)) == 3
    assert float(model.evaluate(x, y, verbose=0)) not in losses


def test_dropout_changes_training_outputs_only():
    layer = layers.LSTM(4, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    x = x_data(16, 5, 3)
    layer.build(x.shape)
    g = _training_graph(layer, x.shape)
    program = Program(to_onnx(optimize(g)).SerializeToString())
    train_out = program(x)[0]
    want, _ = lstm_ref(x.astype(np.float64), *weights64(layer))
    assert np.abs(train_out - want).max() > 1e-2
    np.testing.assert_allclose(layer(x), want, atol=2e-6)


# -- models: training, export -------------------------------------------------------------------


def test_embedding_lstm_model_trains_and_exports_the_fused_op(tmp_path):
    """The imdb_lstm shape, small: Embedding -> LSTM -> Dense."""
    tokens = RNG.integers(1, 50, (32, 12))
    y = (tokens[:, :6].sum(axis=1) > tokens[:, 6:].sum(axis=1)).astype(np.float32)[:, None]
    model = keras.Sequential([layers.Input((12,), dtype="int64"), layers.Embedding(50, 8), layers.LSTM(8),
                              layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(tokens, y, epochs=5, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "lstm.onnx"
    model.export(str(path), verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert [n.op_type for n in proto.graph.node].count("LSTM") == 1
    (exported,) = Program(proto.SerializeToString())(tokens)
    np.testing.assert_allclose(exported, model.predict(tokens), atol=1e-6)


@pytest.mark.parametrize("cls, op", [(layers.GRU, "GRU"), (layers.LSTM, "LSTM")])
def test_export_with_a_dynamic_time_axis(tmp_path, cls, op):
    model = keras.Sequential([layers.Input((None, 3)), cls(4, return_sequences=True, go_backwards=True)])
    path = tmp_path / "m.onnx"
    model.export(str(path), verbose=False)
    proto = onnx.load(str(path))
    assert op in {n.op_type for n in proto.graph.node}
    for steps in (2, 6):
        x = x_data(2, steps, 3)
        (got,) = Program(proto.SerializeToString())(x)
        np.testing.assert_allclose(got, model.predict(x), atol=1e-6)


def test_dynamic_time_axis_trains_and_a_masked_model_exports(tmp_path):
    """Input((None,)) token sequences with mask_zero: fit runs on batches of different lengths
    (one loop, no unrolling), and the exported file (a Scan for the masked LSTM) equals predict
    at any length."""
    model = keras.Sequential([layers.Input((None,), dtype="int64"), layers.Embedding(30, 6, mask_zero=True),
                              layers.LSTM(5), layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    before = model.get_weights()
    for steps in (4, 9):
        tokens = RNG.integers(0, 30, (8, steps))
        model.train_on_batch(tokens, (tokens.sum(1, keepdims=True) > 15 * steps).astype(np.float32))
    assert all(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    path = tmp_path / "masked.onnx"
    model.export(str(path), verbose=False)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert "Scan" in {n.op_type for n in proto.graph.node}
    program = Program(proto.SerializeToString())
    for steps in (3, 11):
        tokens = RNG.integers(0, 30, (5, steps))
        tokens[:, -2:] = 0  # padded ends
        np.testing.assert_allclose(program(tokens)[0], model.predict(tokens, verbose=0), atol=1e-6)


def test_evaluate_reads_live_weights_through_the_fused_op():
    x = x_data(8, 5, 3)
    model = keras.Sequential([layers.Input((5, 3)), layers.GRU(4), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, np.ones((8, 1), np.float32), epochs=2, verbose=0)
    pred = model.predict(x)
    np.testing.assert_allclose(model.evaluate(x, np.ones((8, 1), np.float32), verbose=0),
                               np.mean((pred - 1) ** 2), rtol=1e-5)


def test_regularizers_add_to_the_loss_and_constraints_apply_after_each_step():
    x, y = x_data(8, 5, 3), RNG.standard_normal((8, 1)).astype(np.float32)
    lstm = layers.GRU(4, kernel_regularizer=keras.regularizers.L2(0.1),
                      recurrent_regularizer=keras.regularizers.L1(0.05), bias_regularizer=keras.regularizers.L2(0.2),
                      recurrent_constraint=lambda w: ops.clip(w, -0.1, 0.1))
    model = keras.Sequential([layers.Input((5, 3)), lstm, layers.Dense(1)])
    model.compile(keras.optimizers.SGD(learning_rate=0.01), "mse")
    k, rk, b = [w.numpy().astype(np.float64) for w in lstm.weights]
    penalty = 0.1 * np.sum(k ** 2) + 0.05 * np.sum(np.abs(rk)) + 0.2 * np.sum(b ** 2)
    mse = np.mean((model.predict(x) - y) ** 2)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), mse + penalty, rtol=1e-5)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.abs(lstm.weights[1].numpy()).max() <= 0.1 + 1e-7


# -- config, arguments, errors ----------------------------------------------------------------


def test_configs_round_trip_and_read_keras2_spellings():
    lstm = layers.LSTM(5, recurrent_activation="hard_sigmoid", dropout=0.1, return_state=True, name="l5")
    config = lstm.get_config()
    assert config["units"] == 5 and config["recurrent_activation"] == "hard_sigmoid" and "cell" not in config
    assert layers.LSTM.from_config(config).get_config() == config
    gru = layers.GRU(3, reset_after=False, implementation=1, recurrent_dropout=0.2)
    config = gru.get_config()
    assert config["reset_after"] is False and config["implementation"] == 1
    clone = layers.GRU.from_config(config)
    assert clone.reset_after is False and clone.recurrent_dropout == 0.2 and clone.units == 3
    keras2 = layers.LSTM(units=4, recurrent_activation="hard_sigmoid_keras2", implementation=1, time_major=False,
                         unroll=False, input_dim=3, input_length=6)
    model = keras.Sequential([keras2])
    assert model.output_shape == (None, 4) and model.inputs[0].shape == (None, 6, 3)


def test_two_dimensional_input_and_wrong_initial_state_name_the_layer():
    with pytest.raises(ValueError, match=r"Input 0 of layer 'lstm_2d' \(LSTM\) is incompatible with the layer: "
                                         r"expected ndim=3, found ndim=2"):
        layers.LSTM(4, name="lstm_2d")(layers.Input((8,)))
    with pytest.raises(ValueError, match=r"Layer 'lstm_s' expected initial_state to be 2 tensor\(s\) of "
                                         r"shape\(s\) \(None, 4\), \(None, 4\).*but got 1"):
        layers.LSTM(4, name="lstm_s")(x_data(), initial_state=[np.zeros((3, 4), np.float32)])
    with pytest.raises(ValueError, match=r"Layer 'gru_s' expected initial_state .*\(None, 4\).*got 1 of "
                                         r"shape\(s\) \(3, 5\)"):
        layers.GRU(4, name="gru_s")(x_data(), initial_state=[np.zeros((3, 5), np.float32)])
    with pytest.raises(TypeError, match="Keras 1 argument 'inner_activation': use 'recurrent_activation'"):
        layers.GRU(4, inner_activation="sigmoid")
    with pytest.raises(ValueError, match=r"LSTMCell\(units=...\) needs a positive integer"):
        layers.LSTM(-1)


def test_cells_on_one_step_follow_the_keras_api():
    cell = layers.LSTMCell(3)
    x = RNG.uniform(-1, 1, (2, 4)).astype(np.float32)
    states = cell.get_initial_state(batch_size=2)
    assert [s.shape for s in states] == [(2, 3), (2, 3)] and cell.state_size == [3, 3]
    h, (h2, c) = cell(x, states)
    _, (h_ref, c_ref) = lstm_ref(x[:, None].astype(np.float64), *weights64(cell))
    np.testing.assert_allclose(h, h_ref, atol=2e-6)
    np.testing.assert_allclose(c, c_ref, atol=2e-6)
    gru = layers.GRUCell(3, reset_after=False)
    out, new = gru(x, [np.zeros((2, 3), np.float32)])
    want, _ = gru_ref(x[:, None].astype(np.float64), *weights64(gru), reset_after=False)
    np.testing.assert_allclose(out, want[:, 0], atol=2e-6)
