"""TimeDistributed and ConvLSTM2D on sequences whose time axis is unknown while tracing (None):
the same model built with a fixed length and with None gives the same predictions (at several
lengths through one model), the same training step, and an exported file that runs any length."""

import numpy as np
import onnxruntime as ort
import pytest

import horn as keras
from horn import layers

RNG = np.random.default_rng(5)


def _embedding_mask(time):
    inp = keras.Input((time,), dtype="int32")
    x = layers.Embedding(6, 3, mask_zero=True)(inp)
    x = layers.TimeDistributed(layers.Dense(4, activation="tanh"))(x)
    return keras.Model(inp, layers.LSTM(3)(x))  # consumes the mask TimeDistributed passed on


def _lstm_then_dense(time):
    inp = keras.Input((time, 3))
    x = layers.LSTM(5, return_sequences=True)(inp)
    return keras.Model(inp, layers.TimeDistributed(layers.Dense(2))(x))


def _conv_stack(time):
    inner = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(3, 3, activation="relu"), layers.Flatten(),
                              layers.Dense(4)])
    return keras.Sequential([keras.Input((time, 6, 6, 2)), layers.TimeDistributed(inner)])


def _conv_lstm(**kwargs):
    def build(time):
        inp = keras.Input((time, 5, 5, 2))
        out = layers.ConvLSTM2D(2, 3, padding="same", **kwargs)(inp)
        return keras.Model(inp, out)
    return build


def _masked_conv_lstm(time):
    inp = keras.Input((time, 4, 4, 2))
    x = layers.Masking(0.0)(inp)  # a frame of zeros is a masked step
    return keras.Model(inp, layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)(x))


def _ids(batch, time):
    ids = RNG.integers(1, 6, (batch, time)).astype(np.int32)
    ids[0, time // 2:] = 0  # padding at the end, and at the start of the next row
    ids[1, :1] = 0
    return ids


def _floats(shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _frames_with_gaps(batch, time):
    x = _floats((batch, time, 4, 4, 2))
    x[0, time // 2] = 0.0
    return x


# name: (model builder, data for (batch, time)); every input is (batch, time, ...)
CASES = {
    "td-dense": (lambda t: keras.Sequential([keras.Input((t, 7)), layers.TimeDistributed(layers.Dense(4))]),
                 lambda b, t: _floats((b, t, 7))),
    "lstm-then-td-dense": (_lstm_then_dense, lambda b, t: _floats((b, t, 3))),
    "td-conv2d-sequential": (_conv_stack, lambda b, t: _floats((b, t, 6, 6, 2))),
    "embedding-mask-td-lstm": (_embedding_mask, _ids),
    "convlstm-last": (_conv_lstm(), lambda b, t: _floats((b, t, 5, 5, 2))),
    "convlstm-sequences": (_conv_lstm(return_sequences=True), lambda b, t: _floats((b, t, 5, 5, 2))),
    "convlstm-backwards": (_conv_lstm(go_backwards=True), lambda b, t: _floats((b, t, 5, 5, 2))),
    "convlstm-backwards-sequences": (_conv_lstm(go_backwards=True, return_sequences=True),
                                     lambda b, t: _floats((b, t, 5, 5, 2))),
    "convlstm-states": (_conv_lstm(return_state=True, return_sequences=True),
                        lambda b, t: _floats((b, t, 5, 5, 2))),
    "convlstm-mask": (_masked_conv_lstm, _frames_with_gaps),
}


def _randomize(model, seed=3):
    r = np.random.default_rng(seed)
    model.set_weights([(0.5 * r.standard_normal(w.shape)).astype(np.float32) for w in model.get_weights()])


def _twins(name, time):
    """The case's model with a fixed number of timesteps and with None, holding the same weights."""
    build, _ = CASES[name]
    fixed, free = build(time), build(None)
    _randomize(fixed)
    free.set_weights(fixed.get_weights())
    return fixed, free


def _listed(out):
    return [np.asarray(o) for o in out] if isinstance(out, list) else [np.asarray(out)]


@pytest.mark.parametrize("name", list(CASES))
def test_predict_equals_the_fixed_length_model_at_several_lengths(name):
    _, data = CASES[name]
    _, free = _twins(name, 3)
    for time in (2, 3, 11):  # one None-time model runs them all; 11 loops where 2 and 3 unroll
        fixed, _ = _twins(name, time)
        x = data(3, time)
        for got, want in zip(_listed(free.predict(x, verbose=0)), _listed(fixed.predict(x, verbose=0))):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=f"time={time}")


def test_time_distributed_dense_is_a_matmul_per_step():
    dense = layers.Dense(4)
    model = keras.Sequential([keras.Input((None, 7)), layers.TimeDistributed(dense)])
    assert model.output_shape == (None, None, 4)
    _randomize(model)
    kernel, bias = dense.get_weights()
    for time in (1, 5, 8):
        x = _floats((2, time, 7))
        np.testing.assert_allclose(model.predict(x, verbose=0), x @ kernel + bias, rtol=1e-5, atol=1e-6)


class _MaskProbe(layers.Layer):
    """Zeroes the rows its mask marks as padding (shows the mask it was given)."""

    def call(self, inputs, mask=None):
        return inputs if mask is None else inputs * keras.ops.expand_dims(keras.ops.cast(mask, inputs.dtype), -1)


def test_time_distributed_folds_a_mask_of_unknown_length():
    inp = keras.Input((None,), dtype="int32")
    emb = layers.Embedding(6, 3, mask_zero=True)
    model = keras.Model(inp, layers.TimeDistributed(_MaskProbe())(emb(inp)))
    table = emb.get_weights()[0]
    for time in (3, 6):
        ids = _ids(2, time)
        np.testing.assert_allclose(model.predict(ids, verbose=0), table[ids] * (ids != 0)[..., None], rtol=1e-6)


def test_time_distributed_step_axes_unknown_too():
    conv = layers.Conv2D(3, 2)
    free = keras.Sequential([keras.Input((None, None, None, 2)), layers.TimeDistributed(conv)])
    _randomize(free)
    for time, size in ((2, 5), (4, 3)):
        x = _floats((2, time, size, size, 2))
        fixed = keras.Sequential([keras.Input((time, size, size, 2)), layers.TimeDistributed(layers.Conv2D(3, 2))])
        fixed.set_weights(free.get_weights())
        np.testing.assert_allclose(free.predict(x, verbose=0), fixed.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


TRAINED = ["td-dense", "lstm-then-td-dense", "td-conv2d-sequential", "embedding-mask-td-lstm", "convlstm-last",
           "convlstm-backwards-sequences", "convlstm-mask"]


@pytest.mark.parametrize("name", TRAINED)
def test_training_step_equals_the_fixed_length_model(name):
    _, data = CASES[name]
    fixed, free = _twins(name, 4)
    x = data(3, 4)
    target = [_floats((3, *s[1:])) for s in _listed_shapes(fixed.predict(x, verbose=0))]
    before = fixed.get_weights()
    for model in (fixed, free):
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
        model.train_on_batch(x, target if len(target) > 1 else target[0])
    changed = [not np.allclose(a, b) for a, b in zip(before, fixed.get_weights())]
    assert any(changed)
    for k, (got, want) in enumerate(zip(free.get_weights(), fixed.get_weights())):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=f"weight {k}")


def _listed_shapes(out):
    return [o.shape for o in _listed(out)]


@pytest.mark.parametrize("name", ["lstm-then-td-dense", "td-conv2d-sequential", "embedding-mask-td-lstm",
                                  "convlstm-backwards-sequences", "convlstm-states", "convlstm-mask"])
def test_export_runs_any_length_like_predict(name, tmp_path):
    _, data = CASES[name]
    _, free = _twins(name, 3)
    path = str(tmp_path / "m.onnx")
    free.export(path, verbose=False)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for time in (3, 7):
        x = data(2, time)
        got = session.run(None, {session.get_inputs()[0].name: x})
        want = _listed(free.predict(x, verbose=0))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=f"time={time}")


def test_conv_lstm_unrolled_needs_a_fixed_length():
    with pytest.raises(ValueError, match="needs a fixed number of timesteps.*unroll=True"):
        layers.ConvLSTM2D(2, 3, unroll=True)(keras.Input((None, 5, 5, 2)))


def _conv_gru(length, padding, dilation=1):
    inputs = keras.Input((length, 3))
    x = keras.layers.Conv1D(4, 3, padding=padding, dilation_rate=dilation)(inputs)
    x = keras.layers.MaxPooling1D(2, strides=1, padding="same")(x)
    return keras.Model(inputs, keras.layers.GRU(5)(x))


@pytest.mark.parametrize("padding, dilation", [("same", 1), ("same", 2), ("causal", 1)])
def test_conv1d_same_on_unknown_length(padding, dilation, tmp_path):
    """Conv1D -> MaxPooling1D -> GRU on variable-length sequences: 'same' with stride 1 pads
    (k - 1) * d whatever the length. Predict, a training step and export equal the fixed-length
    model's."""
    dynamic = _conv_gru(None, padding, dilation)
    rng = np.random.default_rng(8)
    for length in (6, 11):
        fixed = _conv_gru(length, padding, dilation)
        fixed.set_weights(dynamic.get_weights())
        x = rng.standard_normal((2, length, 3)).astype(np.float32)
        np.testing.assert_allclose(dynamic.predict(x, verbose=0), fixed.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    x, y = rng.standard_normal((2, 7, 3)).astype(np.float32), rng.standard_normal((2, 5)).astype(np.float32)
    fixed = _conv_gru(7, padding, dilation)
    fixed.set_weights(dynamic.get_weights())
    for m in (dynamic, fixed):
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
        m.train_on_batch(x, y)
    for a, b in zip(dynamic.get_weights(), fixed.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    dynamic.export(str(tmp_path / "m.onnx"))
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    for length in (4, 9):
        x = rng.standard_normal((3, length, 3)).astype(np.float32)
        got = session.run(None, {session.get_inputs()[0].name: x})[0]
        np.testing.assert_allclose(got, dynamic.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_strided_same_on_unknown_length_says_why():
    inputs = keras.Input((None, 3))
    with pytest.raises(ValueError, match="padding='same' with strides 2 needs the spatial size known"):
        keras.layers.Conv1D(4, 3, strides=2, padding="same")(inputs)
