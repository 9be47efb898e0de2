"""TimeDistributed and Bidirectional: values against numpy (Keras's formulas), weight order and
names, configs, states, explicit backward layers, errors, and training steps checked against
finite differences."""

import numpy as np
import pytest

import horn as keras
from horn import layers

# Every test runs with recurrences unrolled (as chosen for these short sequences) and looped.
pytestmark = pytest.mark.usefixtures("recurrence_lowering")

RNG = np.random.default_rng(7)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_reference(x, kernel, recurrent, bias, go_backwards=False, initial=None):
    """Keras's LSTM: (outputs in processing order (B, T, U), h, c)."""
    units = recurrent.shape[0]
    h, c = initial if initial is not None else (np.zeros((len(x), units)), np.zeros((len(x), units)))
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    outs = []
    for t in steps:
        i, f, g, o = np.split(x[:, t] @ kernel + h @ recurrent + bias, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1), h, c


def _w64(layer):
    return [w.astype(np.float64) for w in layer.get_weights()]


# -- TimeDistributed ------------------------------------------------------------------------


def test_time_distributed_dense_values_weights_config():
    td = layers.TimeDistributed(layers.Dense(3, activation="tanh"))
    x = RNG.standard_normal((2, 4, 5)).astype(np.float32)
    out = td(x)
    kernel, bias = td.get_weights()
    np.testing.assert_allclose(out, np.tanh(x @ kernel + bias), rtol=1e-5, atol=1e-6)
    assert [w.shape for w in td.weights] == [(5, 3), (3,)]
    assert td.compute_output_shape((None, 4, 5)) == (None, 4, 3)
    config = td.get_config()
    assert config["layer"]["class_name"] == "Dense"
    clone = layers.TimeDistributed.from_config(config)
    assert clone.layer.units == 3 and clone.get_config()["layer"]["config"]["units"] == 3


class _TrainingProbe(layers.Layer):
    """Doubles its input in training calls (shows which `training` flag reached it)."""

    def call(self, inputs, training=False):
        return inputs * 2.0 if training else inputs


def test_time_distributed_inner_training_flag_and_rank4():
    """The inner layer sees the wrapper's training flag; a 4-D step shape folds too."""
    td = layers.TimeDistributed(_TrainingProbe())
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    np.testing.assert_array_equal(td(x), x)
    np.testing.assert_array_equal(td(x, training=True), 2 * x)
    flat = layers.TimeDistributed(layers.Flatten())
    np.testing.assert_array_equal(flat(x), x.reshape(2, 3, 20))
    assert flat.compute_output_shape((None, 3, 4, 5)) == (None, 3, 20)


def test_time_distributed_sgd_step_equals_dense_on_rows():
    """The gradient of shared per-step weights sums over batch and time."""
    lr = 0.1
    inp = keras.Input((4, 3))
    dense = layers.Dense(2)
    model = keras.Model(inp, layers.TimeDistributed(dense)(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    x = RNG.standard_normal((5, 4, 3)).astype(np.float32)
    y = RNG.standard_normal((5, 4, 2)).astype(np.float32)
    kernel, bias = _w64(dense)
    d_pred = 2 * (x @ kernel + bias - y) / y.size
    model.train_on_batch(x, y)
    new_kernel, new_bias = dense.get_weights()
    np.testing.assert_allclose(new_kernel, kernel - lr * np.einsum("bti,bto->io", x, d_pred), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(new_bias, bias - lr * d_pred.sum(axis=(0, 1)), rtol=1e-5, atol=1e-6)


def test_time_distributed_errors():
    with pytest.raises(ValueError, match="needs a Layer instance"):
        layers.TimeDistributed("dense")
    with pytest.raises(ValueError, match="expected min_ndim=3"):
        layers.TimeDistributed(layers.Dense(2))(keras.Input((4,)))


# -- Bidirectional --------------------------------------------------------------------------


def _bidirectional_reference(layer, x, initial=None):
    fw, bw = layer.forward_layer, layer.backward_layer
    init_f = init_b = None
    if initial is not None:
        init_f, init_b = initial[:2], initial[2:]
    yf, hf, cf = lstm_reference(x, *_w64(fw), initial=init_f)
    yb, hb, cb = lstm_reference(x, *_w64(bw), go_backwards=True, initial=init_b)
    if layer.return_sequences:
        yb = yb[:, ::-1]  # back in input order
    else:
        yf, yb = yf[:, -1], yb[:, -1]
    return yf, yb, [hf, cf, hb, cb]


MERGES = {"concat": lambda a, b: np.concatenate([a, b], axis=-1), "sum": np.add, "mul": np.multiply,
          "ave": lambda a, b: (a + b) / 2}


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("merge_mode", list(MERGES) + [None])
def test_bidirectional_lstm_matches_numpy(merge_mode, return_sequences):
    layer = layers.Bidirectional(layers.LSTM(3, return_sequences=return_sequences), merge_mode=merge_mode)
    x = RNG.standard_normal((2, 5, 4)).astype(np.float32)
    out = layer(x)
    yf, yb, _ = _bidirectional_reference(layer, x)
    if merge_mode is None:
        assert isinstance(out, list) and len(out) == 2
        np.testing.assert_allclose(out[0], yf, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(out[1], yb, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(out, MERGES[merge_mode](yf, yb), rtol=1e-5, atol=1e-6)
    want_shape = layer.compute_output_shape((None, 5, 4))
    got_shapes = [o.shape for o in out] if merge_mode is None else [out.shape]
    want_shapes = want_shape if merge_mode is None else [want_shape]
    assert [g[1:] for g in got_shapes] == [tuple(w[1:]) for w in want_shapes]


def test_bidirectional_weights_states_and_initial_state():
    layer = layers.Bidirectional(layers.LSTM(3, return_state=True), name="bi")
    x = RNG.standard_normal((2, 4, 2)).astype(np.float32)
    initial = [RNG.standard_normal((2, 3)).astype(np.float32) for _ in range(4)]
    out = layer(x, initial_state=initial)
    assert len(out) == 5
    names = [w.path for w in layer.weights]
    assert [n.split("/")[0].split("_")[0] for n in names] == ["forward"] * 3 + ["backward"] * 3
    assert [n.split("/")[-1] for n in names] == ["kernel", "recurrent_kernel", "bias"] * 2
    assert [w.shape for w in layer.weights] == [(2, 12), (3, 12), (12,)] * 2
    yf, yb, states = _bidirectional_reference(layer, x, initial=initial)
    np.testing.assert_allclose(out[0], np.concatenate([yf, yb], axis=-1), rtol=1e-5, atol=1e-6)
    for got, want in zip(out[1:], states):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert [tuple(s) for s in layer.compute_output_shape((None, 4, 2))] == [(None, 6)] + [(None, 3)] * 4


def test_bidirectional_explicit_backward_layer_and_errors():
    forward = layers.LSTM(3, return_sequences=True)
    backward = layers.GRU(3, return_sequences=True, go_backwards=True)
    layer = layers.Bidirectional(forward, backward_layer=backward, merge_mode="sum")
    x = RNG.standard_normal((2, 4, 2)).astype(np.float32)
    assert layer(x).shape == (2, 4, 3)
    assert layer.backward_layer is backward and len(layer.weights) == 6
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(3))
    with pytest.raises(ValueError, match="return_sequences"):
        layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(3, go_backwards=True,
                                                                          return_sequences=True))
    with pytest.raises(ValueError, match="merge_mode"):
        layers.Bidirectional(layers.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="recurrent layer"):
        layers.Bidirectional(layers.Dense(3))


def test_bidirectional_config_round_trip_and_keras2_input_shape():
    layer = layers.Bidirectional(layers.LSTM(4, return_sequences=True), merge_mode="ave")
    config = layer.get_config()
    clone = layers.Bidirectional.from_config(config)
    assert clone.merge_mode == "ave" and clone.return_sequences
    assert clone.backward_layer.go_backwards and not clone.forward_layer.go_backwards
    model = keras.Sequential([layers.Bidirectional(layers.LSTM(2), input_shape=(5, 3)), layers.Dense(1)])
    assert model.output_shape == (None, 1) and len(model.weights) == 8
    # weights=: forward then backward, set when the layer is first built by a call
    seeded = layers.Bidirectional(layers.LSTM(2), weights=[np.full(s, k, np.float32) for k, s in enumerate(
        [(3, 8), (2, 8), (8,), (3, 8), (2, 8), (8,)])])
    seeded(np.zeros((1, 4, 3), np.float32))
    assert [float(w.numpy().flat[0]) for w in seeded.weights] == [0, 1, 2, 3, 4, 5]


def test_bidirectional_sgd_step_matches_finite_differences():
    lr = 0.2
    inp = keras.Input((4, 2))
    bi = layers.Bidirectional(layers.LSTM(2, return_sequences=True))
    model = keras.Model(inp, bi(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    x = RNG.standard_normal((3, 4, 2)).astype(np.float32)
    y = RNG.standard_normal((3, 4, 4)).astype(np.float32)
    before = _w64(bi)

    def loss(weights):
        yf, _, _ = lstm_reference(x, *weights[:3])
        yb, _, _ = lstm_reference(x, *weights[3:], go_backwards=True)
        return np.mean((np.concatenate([yf, yb[:, ::-1]], axis=-1) - y) ** 2)

    model.train_on_batch(x, y)
    after = bi.get_weights()
    eps = 1e-6
    for i, w in enumerate(before):
        for flat in RNG.choice(w.size, 4, replace=False):
            idx = np.unravel_index(flat, w.shape)
            plus, minus = [v.copy() for v in before], [v.copy() for v in before]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            grad = (loss(plus) - loss(minus)) / (2 * eps)
            np.testing.assert_allclose((w[idx] - after[i][idx]) / lr, grad, rtol=2e-3, atol=1e-5,
                                       err_msg=f"weight {i} at {idx}")


def test_bidirectional_conv_lstm2d():
    layer = layers.Bidirectional(layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True))
    x = RNG.standard_normal((2, 3, 4, 4, 1)).astype(np.float32)
    out = layer(x)
    assert out.shape == (2, 3, 4, 4, 4) and len(layer.weights) == 6
    forward = layer.forward_layer(x)
    backward = layer.backward_layer(x)[:, ::-1]
    np.testing.assert_allclose(out, np.concatenate([forward, backward], axis=-1), rtol=1e-5, atol=1e-6)


class _MaskProbe(layers.Layer):
    """Zeroes the rows its mask marks as padding (shows the mask it was given)."""

    def call(self, inputs, mask=None):
        return inputs if mask is None else inputs * keras.ops.expand_dims(keras.ops.cast(mask, inputs.dtype), -1)


def test_time_distributed_folds_the_mask_for_the_inner_layer():
    inp = keras.Input((4,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True)
    model = keras.Model(inp, layers.TimeDistributed(_MaskProbe())(emb(inp)))
    ids = np.array([[1, 2, 0, 0], [0, 5, 5, 1]], np.int32)
    want = emb.get_weights()[0][ids] * (ids != 0)[..., None]
    np.testing.assert_allclose(model.predict(ids, verbose=0), want, rtol=1e-6)


def test_bidirectional_stateful():
    inp = keras.Input(batch_shape=(2, 3, 2))
    bi = layers.Bidirectional(layers.LSTM(2, stateful=True))
    model = keras.Model(inp, bi(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    x = RNG.standard_normal((2, 3, 2)).astype(np.float32)
    model.train_on_batch(x, np.zeros((2, 4), np.float32))
    assert bi.stateful and len(bi.states) == 4
    _, hf, cf = lstm_reference(x, *[w.numpy().astype(np.float64) for w in bi.forward_layer.trainable_weights])
    np.testing.assert_allclose(bi.states[0].numpy(), hf, rtol=1e-5, atol=1e-6)
    bi.reset_states()
    assert not any(s.numpy().any() for s in bi.states)
    with pytest.raises(AttributeError, match="not stateful"):
        layers.Bidirectional(layers.LSTM(2)).reset_states()


@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_wrapped_model_saves_and_loads(tmp_path, fmt):
    """Both LSTM copies of a Bidirectional own weights named apart (forward_*/..., backward_*/...),
    so HDF5 keeps both; the loaded model predicts the same."""
    inp = keras.Input((6,), dtype="int32")
    x = layers.Embedding(20, 4, mask_zero=True)(inp)
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="mul")(x)
    model = keras.Model(inp, layers.TimeDistributed(layers.Dense(2))(x))
    names = [w.name for w in model.weights]
    assert len(set(names)) == len(names)
    ids = RNG.integers(0, 20, (3, 6)).astype(np.int32)
    path = str(tmp_path / f"model.{fmt}")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers][1:] == ["Embedding", "Bidirectional", "TimeDistributed"]
    assert loaded.layers[2].merge_mode == "mul"
    np.testing.assert_allclose(loaded.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-6)
