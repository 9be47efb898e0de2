"""ConvLSTM2D against a numpy transcription of Keras's ConvLSTMCell (TF-style 'same' padding,
strides, dilation, both data formats, go_backwards, masks, states), and its training gradient
against finite differences of that transcription."""

import numpy as np
import pytest

import horn as keras
from horn import layers

RNG = np.random.default_rng(11)


def conv2d(x, k, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """x (B, H, W, C), k (kh, kw, C, F) -> (B, H', W', F); 'same' pads as TensorFlow does."""
    pads = []
    for n, kk, s, d in zip(x.shape[1:3], k.shape[:2], strides, dilation):
        eff = (kk - 1) * d + 1
        total = max((-(-n // s) - 1) * s + eff - n, 0) if padding == "same" else 0
        pads.append((total // 2, total - total // 2))
    x = np.pad(x, [(0, 0), pads[0], pads[1], (0, 0)])
    oh = (x.shape[1] - (k.shape[0] - 1) * dilation[0] - 1) // strides[0] + 1
    ow = (x.shape[2] - (k.shape[1] - 1) * dilation[1] - 1) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, k.shape[3]))
    for a in range(k.shape[0]):
        for b in range(k.shape[1]):
            patch = x[:, a * dilation[0]::strides[0], b * dilation[1]::strides[1]][:, :oh, :ow]
            out += patch @ k[a, b]
    return out


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def conv_lstm_reference(x, weights, strides=(1, 1), padding="valid", dilation=(1, 1), go_backwards=False,
                        mask=None, return_sequences=False, initial_state=None, zero_output_for_mask=False):
    """Keras's ConvLSTM2D (channels_last): returns (output, h, c)."""
    kernel, recurrent, bias = [np.asarray(w, np.float64) for w in weights]
    f = recurrent.shape[2]
    steps = range(x.shape[1])[::-1] if go_backwards else range(x.shape[1])
    h = c = None
    if initial_state is not None:
        h, c = [np.asarray(s, np.float64) for s in initial_state]
    outputs, prev = [], None
    for t in steps:
        z = conv2d(x[:, t].astype(np.float64), kernel, strides, padding, dilation) + bias
        if h is None:
            h = c = np.zeros(z.shape[:3] + (f,))
        z = z + conv2d(h, recurrent, padding="same")
        zi, zf, zc, zo = np.split(z, 4, axis=-1)
        new_c = sigmoid(zf) * c + sigmoid(zi) * np.tanh(zc)
        new_h = sigmoid(zo) * np.tanh(new_c)
        out = new_h
        if mask is not None:
            keep = mask[:, t][:, None, None, None]
            new_h, new_c = np.where(keep, new_h, h), np.where(keep, new_c, c)
            held = np.zeros_like(out) if zero_output_for_mask or prev is None else prev
            out = np.where(keep, out, held)
        h, c, prev = new_h, new_c, out
        outputs.append(out)
    return (np.stack(outputs, axis=1) if return_sequences else outputs[-1]), h, c


def _randomize(layer, scale=0.4):
    layer.set_weights([RNG.uniform(-scale, scale, w.shape).astype(np.float32) for w in layer.get_weights()])


CONFIGS = {
    "same": dict(filters=3, kernel_size=3, padding="same"),
    "valid-strides": dict(filters=2, kernel_size=(3, 2), strides=2),
    "dilation": dict(filters=2, kernel_size=2, dilation_rate=2),
    "backwards-sequences": dict(filters=2, kernel_size=3, padding="same", go_backwards=True,
                                return_sequences=True),
}


@pytest.mark.parametrize("unroll", [False, True])  # a loop (ONNX Scan), or one set of ops per step
@pytest.mark.parametrize("name", CONFIGS)
def test_forward_matches_numpy(name, unroll):
    kwargs = CONFIGS[name]
    layer = layers.ConvLSTM2D(**kwargs, unroll=unroll)
    x = RNG.standard_normal((2, 4, 7, 6, 3)).astype(np.float32)
    layer.build(x.shape)
    _randomize(layer)
    f, k = kwargs["filters"], layer.kernel_size
    assert [w.shape for w in layer.weights] == [k + (3, 4 * f), k + (f, 4 * f), (4 * f,)]
    want, _, _ = conv_lstm_reference(
        x, layer.get_weights(), strides=layer.strides, padding=layer.padding, dilation=layer.dilation_rate,
        go_backwards=layer.go_backwards, return_sequences=layer.return_sequences)
    got = layer(x)
    assert got.shape == want.shape == (2,) + layer.compute_output_shape((None,) + x.shape[1:])[1:]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("unroll", [False, True])
def test_channels_first_states_and_mask(unroll):
    x = RNG.standard_normal((3, 5, 4, 4, 2)).astype(np.float32)
    mask = np.array([[0, 1, 1, 0, 0], [1, 0, 1, 1, 0], [1, 1, 1, 1, 1]], bool)
    last = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True, unroll=unroll)
    first = layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True,
                              data_format="channels_first", unroll=unroll)
    last.build(x.shape)
    _randomize(last)
    first.build((3, 5, 2, 4, 4))
    first.set_weights(last.get_weights())
    want = conv_lstm_reference(x, last.get_weights(), padding="same", mask=mask, return_sequences=True)
    for got, w in zip(last(x, mask=mask), want):
        np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-5)
    got_cf = first(np.moveaxis(x, -1, 2), mask=mask)
    np.testing.assert_allclose(got_cf[0], np.moveaxis(want[0], -1, 2), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_cf[2], np.moveaxis(want[2], -1, 1), rtol=1e-4, atol=1e-5)


def test_initial_state_and_unit_forget_bias():
    layer = layers.ConvLSTM2D(2, 3, padding="same")
    x = RNG.standard_normal((2, 3, 4, 4, 1)).astype(np.float32)
    layer.build(x.shape)
    np.testing.assert_array_equal(layer.get_weights()[2], [0, 0, 1, 1, 0, 0, 0, 0])
    _randomize(layer)
    h0, c0 = RNG.standard_normal((2, 2, 4, 4, 2)).astype(np.float32)
    want, _, _ = conv_lstm_reference(x, layer.get_weights(), padding="same", initial_state=(h0, c0))
    np.testing.assert_allclose(layer(x, initial_state=[h0, c0]), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("unroll", [False, True])
def test_sgd_step_matches_finite_differences(unroll):
    """One SGD step on mean squared error moves every weight by -lr * gradient; the gradient is
    checked on sampled entries against central differences of the numpy reference (float64)."""
    lr = 0.1
    inp = keras.Input((3, 5, 5, 2))
    conv_lstm = layers.ConvLSTM2D(2, 3, strides=2, padding="same", return_sequences=True, go_backwards=True,
                                  unroll=unroll)
    model = keras.Model(inp, conv_lstm(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    _randomize(conv_lstm)
    x = RNG.standard_normal((2, 3, 5, 5, 2)).astype(np.float32)
    y = RNG.standard_normal((2, 3, 3, 3, 2)).astype(np.float32)
    before = [w.astype(np.float64) for w in conv_lstm.get_weights()]

    def loss(weights):
        out, _, _ = conv_lstm_reference(x, weights, strides=(2, 2), padding="same", go_backwards=True,
                                        return_sequences=True)
        return np.mean((out - y) ** 2)

    model.train_on_batch(x, y)
    after = conv_lstm.get_weights()
    eps = 1e-6
    for i, w in enumerate(before):
        for flat in RNG.choice(w.size, 6, replace=False):
            idx = np.unravel_index(flat, w.shape)
            plus, minus = [v.copy() for v in before], [v.copy() for v in before]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            grad = (loss(plus) - loss(minus)) / (2 * eps)
            np.testing.assert_allclose((w[idx] - after[i][idx]) / lr, grad, rtol=2e-3, atol=2e-5,
                                       err_msg=f"weight {i} at {idx}")


def test_dropout_only_while_training_and_config_round_trip():
    layer = layers.ConvLSTM2D(2, 3, padding="same", dropout=0.5, recurrent_dropout=0.3, return_sequences=True)
    x = RNG.standard_normal((2, 3, 4, 4, 1)).astype(np.float32)
    inference = layer(x)
    np.testing.assert_array_equal(layer(x), inference)
    trained = layer(x, training=True)
    assert trained.shape == inference.shape and not np.allclose(trained, inference)
    config = layer.get_config()
    clone = layers.ConvLSTM2D.from_config(config)
    assert clone.get_config() == config
    with pytest.raises(ValueError, match="dilation_rate"):
        layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expected ndim=5"):
        layers.ConvLSTM2D(2, 3)(keras.Input((4, 4, 1)))


def test_stateful_training_carries_states_between_batches():
    inp = keras.Input(batch_shape=(2, 3, 4, 4, 1))
    layer = layers.ConvLSTM2D(2, 3, padding="same", stateful=True)
    model = keras.Model(inp, layer(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")  # weights stay put
    assert [s.shape for s in layer.states] == [(2, 4, 4, 2)] * 2
    assert layer.non_trainable_weights == []  # as in Keras 3, the states are not weights
    _randomize(layer)
    layer.reset_states()
    weights = [w.numpy() for w in layer.trainable_weights]
    x1, x2 = RNG.standard_normal((2, 2, 3, 4, 4, 1)).astype(np.float32)
    y = np.zeros((2, 4, 4, 2), np.float32)
    model.train_on_batch(x1, y)
    _, h1, c1 = conv_lstm_reference(x1, weights, padding="same")
    np.testing.assert_allclose(layer.states[0].numpy(), h1, rtol=1e-4, atol=1e-5)
    model.train_on_batch(x2, y)
    _, h2, c2 = conv_lstm_reference(x2, weights, padding="same", initial_state=(h1, c1))
    np.testing.assert_allclose(layer.states[1].numpy(), c2, rtol=1e-4, atol=1e-5)
    layer.reset_states()
    assert not layer.states[0].numpy().any()


def test_masking_whole_frames_and_saving(tmp_path):
    """Masking before ConvLSTM2D masks the frames that are all padding; the model saves and loads."""
    inp = keras.Input((4, 3, 3, 2))
    conv_lstm = layers.ConvLSTM2D(2, 3, padding="same")
    model = keras.Model(inp, conv_lstm(layers.Masking(mask_value=0.0)(inp)))
    x = RNG.standard_normal((2, 4, 3, 3, 2)).astype(np.float32)
    x[0, 2:] = 0.0
    x[1, 1, 0, 0] = 0.0  # part of a frame: not masked
    want, _, _ = conv_lstm_reference(x, conv_lstm.get_weights(), padding="same",
                                     mask=np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool))
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-4, atol=1e-5)
    for name in ("model.h5", "model.keras"):
        model.save(str(tmp_path / name))
        loaded = keras.models.load_model(str(tmp_path / name))
        np.testing.assert_allclose(loaded.predict(x, verbose=0), want, rtol=1e-4, atol=1e-5)
