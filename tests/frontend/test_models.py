"""Sequential and functional models: building, weights, summary, training, fit's options."""

import numpy as np
import pytest

import horn as keras
from horn import layers, ops

RNG = np.random.default_rng(0)


def _xy(n=32, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    y = keras.utils.to_categorical(rng.integers(0, k, n), k)
    return x, y


def _summary(model):
    lines = []
    model.summary(print_fn=lines.append)
    return "\n".join(lines)


class Concat(layers.Layer):
    def call(self, inputs):
        return ops.concatenate(inputs, axis=-1)


class Add(layers.Layer):
    def call(self, inputs):
        return ops.add(inputs[0], inputs[1])


# -- Sequential: construction -------------------------------------------------------------------
@pytest.mark.parametrize("first", [
    pytest.param(lambda: layers.Dense(4, input_dim=5), id="input_dim"),
    pytest.param(lambda: layers.Dense(4, input_shape=(5,)), id="input_shape"),
    pytest.param(lambda: layers.Dense(4, batch_input_shape=(None, 5)), id="batch_input_shape"),
])
def test_first_layer_declares_the_input(first):
    model = keras.Sequential([first(), layers.Dense(2)])
    assert model.built
    assert tuple(model.inputs[0].shape) == (None, 5)
    assert tuple(model.outputs[0].shape) == (None, 2)
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2


@pytest.mark.parametrize("how", ["Input", "InputLayer"])
def test_input_added_first(how):
    model = keras.Sequential()
    model.add(keras.Input(shape=(5,)) if how == "Input" else layers.InputLayer(input_shape=(5,)))
    model.add(layers.Dense(3))
    assert model.built and len(model.layers) == 1  # the input is not a layer of the stack
    assert tuple(model.outputs[0].shape) == (None, 3)
    assert [w.shape for w in model.weights] == [(5, 3), (3,)]


def test_add_pop_and_layers():
    a, b, c = layers.Dense(4, input_dim=3), layers.Dense(5), layers.Dense(6)
    model = keras.Sequential()
    model.add(a)
    model.add(b)
    model.add(c)
    assert model.layers == [a, b, c]
    assert tuple(model.outputs[0].shape) == (None, 6)
    assert model.pop() is c
    assert model.layers == [a, b]
    assert tuple(model.outputs[0].shape) == (None, 5)
    assert model.count_params() == 3 * 4 + 4 + 4 * 5 + 5
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 5)


def test_add_rejects_non_layers():
    with pytest.raises(TypeError, match="takes a layer"):
        keras.Sequential().add("dense")


@pytest.mark.parametrize("method", ["fit", "predict", "call"])
def test_deferred_build_on_first_data(method):
    model = keras.Sequential([layers.Dense(4, activation="relu"), layers.Dense(2)])
    assert not model.built and model.weights == []
    x = RNG.standard_normal((10, 7)).astype(np.float32)
    if method == "fit":
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, np.zeros((10, 2)), epochs=1, verbose=0)
    elif method == "predict":
        assert model.predict(x, verbose=0).shape == (10, 2)
    else:
        assert model(x).shape == (10, 2)
    assert model.built
    assert [w.shape for w in model.weights] == [(7, 4), (4,), (4, 2), (2,)]
    assert tuple(model.inputs[0].shape) == (None, 7)


def test_summary_text():
    model = keras.Sequential([layers.Dense(16, input_dim=8, name="hidden"),
                              layers.Dropout(0.5, name="drop"),
                              layers.Dense(3, activation="softmax", name="probs")], name="clf")
    text = _summary(model)
    assert 'Model: "clf"' in text
    for name, cls, shape, params in [("hidden", "Dense", "(None, 16)", 144), ("drop", "Dropout", "(None, 16)", 0),
                                     ("probs", "Dense", "(None, 3)", 51)]:
        line = next(l for l in text.splitlines() if l.strip().startswith(f"{name} ({cls})"))
        assert shape in line and line.split()[-1] == str(params)
    assert "Total params: 195" in text
    assert "Trainable params: 195" in text
    assert "Non-trainable params: 0" in text


def test_summary_counts_frozen_layers():
    frozen = layers.Dense(4, input_dim=2, trainable=False)
    model = keras.Sequential([frozen, layers.Dense(1)])
    text = _summary(model)
    assert "Total params: 17" in text and "Trainable params: 5" in text and "Non-trainable params: 12" in text


def test_summary_before_build_raises():
    with pytest.raises(ValueError, match="not been built"):
        keras.Sequential([layers.Dense(2)]).summary()


def test_model_get_set_weights_and_count_params():
    model = keras.Sequential([layers.Dense(3, input_dim=2), layers.Dense(1, use_bias=False)])
    shapes = [(2, 3), (3,), (3, 1)]
    assert [w.shape for w in model.get_weights()] == shapes
    assert model.count_params() == 6 + 3 + 3
    new = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new):
        np.testing.assert_array_equal(got, want)
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), (x @ new[0] + new[1]) @ new[2], rtol=1e-5)
    with pytest.raises(ValueError, match="expects 3 weights"):
        model.set_weights(new[:2])


# -- Sequential vs functional twin -----------------------------------------------------------------
def _pair():
    seq = keras.Sequential([layers.Dense(8, activation="tanh", input_dim=5), layers.Dense(3, activation="softmax")])
    x = keras.Input(shape=(5,))
    h = layers.Dense(8, activation="tanh")(x)
    fun = keras.Model(x, layers.Dense(3, activation="softmax")(h))
    fun.set_weights(seq.get_weights())
    return seq, fun


def test_functional_twin_predicts_the_same():
    seq, fun = _pair()
    x, _ = _xy()
    a, b = seq.predict(x, verbose=0), fun.predict(x, verbose=0)
    assert a.shape == (32, 3)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-5)


def test_functional_twin_trains_the_same():
    seq, fun = _pair()
    x, y = _xy()
    for m in (seq, fun):
        m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy")
    before = seq.get_weights()
    loss_seq, loss_fun = seq.train_on_batch(x, y), fun.train_on_batch(x, y)
    assert loss_seq == pytest.approx(loss_fun, abs=1e-6)
    for a, b, w0 in zip(seq.get_weights(), fun.get_weights(), before):
        np.testing.assert_allclose(a, b, atol=1e-6)
        assert not np.allclose(a, w0)
    np.testing.assert_allclose(seq.predict(x, verbose=0), fun.predict(x, verbose=0), atol=1e-6)


# -- multi-input, multi-output, nested -------------------------------------------------------------
def _two_inputs(merge):
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    if merge == "concat":
        h = Concat()([a, b])
    else:
        h = Add()([layers.Dense(4)(a), layers.Dense(4)(b)])
    return a, b, h


@pytest.mark.parametrize("merge", ["concat", "add"])
def test_multi_input_model(merge):
    a, b, h = _two_inputs(merge)
    model = keras.Model([a, b], layers.Dense(1)(h))
    xa, xb = RNG.standard_normal((16, 3)), RNG.standard_normal((16, 2))
    y = (xa.sum(axis=1, keepdims=True) - xb[:, :1]).astype(np.float32)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
    history = model.fit([xa, xb], y, epochs=5, batch_size=16, verbose=0)
    assert set(history.history) == {"loss"} and len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < history.history["loss"][0]
    pred = model.predict([xa, xb], verbose=0)
    np.testing.assert_allclose(model.predict({"a": xa, "b": xb}, verbose=0), pred)
    if merge == "concat":  # the whole model is one linear map of [a, b]
        k, bias = model.get_weights()
        np.testing.assert_allclose(pred, np.concatenate([xa, xb], axis=1) @ k + bias, rtol=1e-4, atol=1e-5)


def _two_outputs():
    a, b, h = _two_inputs("concat")
    reg = layers.Dense(1, name="reg")(h)
    cls = layers.Dense(3, activation="softmax", name="cls")(h)
    model = keras.Model([a, b], [reg, cls])
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((20, 3)), rng.standard_normal((20, 2))]
    ys = [rng.standard_normal((20, 1)), keras.utils.to_categorical(rng.integers(0, 3, 20), 3)]
    return model, xs, ys


@pytest.mark.parametrize("style", ["list", "dict"])
def test_multi_output_model(style):
    model, xs, ys = _two_outputs()
    assert model.output_names == ["reg", "cls"]
    if style == "list":
        model.compile(optimizer="sgd", loss=["mse", "categorical_crossentropy"], loss_weights=[1.0, 0.5],
                      metrics=["accuracy"])
        history = model.fit(xs, ys, epochs=2, verbose=0)
    else:
        model.compile(optimizer="sgd", loss={"reg": "mse", "cls": "categorical_crossentropy"},
                      loss_weights={"reg": 1.0, "cls": 0.5}, metrics=["accuracy"])
        history = model.fit({"a": xs[0], "b": xs[1]}, {"reg": ys[0], "cls": ys[1]}, epochs=2, verbose=0)
    h = history.history
    assert {"loss", "reg_loss", "cls_loss", "cls_accuracy"} <= set(h)
    assert all(len(v) == 2 for v in h.values())
    # the logged total is the weighted sum of the per-output losses (averaged over the epoch)
    assert h["loss"][-1] == pytest.approx(h["reg_loss"][-1] + 0.5 * h["cls_loss"][-1], rel=1e-4)
    # evaluate agrees with numpy on the trained weights
    reg, cls = model.predict(xs, verbose=0)
    mse = np.mean((reg - ys[0]) ** 2)
    cce = np.mean(-np.sum(ys[1] * np.log(np.clip(cls, 1e-7, 1 - 1e-7)), axis=1))
    logs = model.evaluate(xs, ys, verbose=0, return_dict=True)
    assert logs["reg_loss"] == pytest.approx(mse, rel=1e-4)
    assert logs["cls_loss"] == pytest.approx(cce, rel=1e-4)
    assert logs["loss"] == pytest.approx(mse + 0.5 * cce, rel=1e-4)


def test_sequential_nested_in_functional_model():
    inner = keras.Sequential([layers.Dense(4, activation="relu", input_dim=3), layers.Dense(2)], name="inner")
    x = keras.Input(shape=(3,))
    head = layers.Dense(1)
    model = keras.Model(x, head(inner(x)))
    assert inner in model.layers
    assert model.count_params() == inner.count_params() + 3 == 16 + 10 + 3
    assert len(model.trainable_weights) == 6
    xs = RNG.standard_normal((8, 3)).astype(np.float32)
    np.testing.assert_allclose(model.predict(xs, verbose=0), head(inner.predict(xs, verbose=0)), rtol=1e-5,
                               atol=1e-6)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    before = inner.get_weights()
    model.train_on_batch(xs, np.ones((8, 1)))
    assert any(not np.allclose(a, b) for a, b in zip(inner.get_weights(), before))
    # inner's own predict sees the weights the outer model trained
    np.testing.assert_allclose(model.predict(xs, verbose=0), head(inner.predict(xs, verbose=0)), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_calling_a_model_on_numpy_equals_predict(kind):
    seq, fun = _pair()
    model = seq if kind == "sequential" else fun
    x, _ = _xy(n=6)
    out = model(x)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, model.predict(x, verbose=0), atol=1e-6)


# -- fit ----------------------------------------------------------------------------------------
def _classifier():
    keras.config.set_random_seed(0)
    model = keras.Sequential([layers.Dense(8, activation="relu", input_dim=5), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@pytest.mark.parametrize("how", ["validation_split", "validation_data"])
def test_fit_validation_history_keys(how):
    model = _classifier()
    x, y = _xy(n=40)
    if how == "validation_split":
        history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
        vx, vy = x[30:], y[30:]
    else:
        vx, vy = _xy(n=12, seed=5)
        history = model.fit(x, y, epochs=3, validation_data=(vx, vy), verbose=0)
    assert isinstance(history, keras.callbacks.History)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    loss, acc = model.evaluate(vx, vy, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(acc, rel=1e-5)


def test_validation_split_takes_the_last_samples():
    """Keras validates on the last fraction of x, before shuffling: the val_loss after the last
    epoch is evaluate() on exactly those samples."""
    model = _classifier()
    x, y = _xy(n=40)
    history = model.fit(x, y, epochs=1, validation_split=0.5, verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[20:], y[20:], verbose=0)[0], rel=1e-5)
    assert history.history["val_loss"][0] != pytest.approx(model.evaluate(x[:20], y[:20], verbose=0)[0], rel=1e-3)


def test_fit_history_one_value_per_epoch_and_loss_decreases():
    model = _classifier()
    x, y = _xy(n=64)
    history = model.fit(x, y, epochs=6, batch_size=16, verbose=0)
    assert model.history is history
    assert set(history.history) == {"loss", "accuracy"}
    assert [len(v) for v in history.history.values()] == [6, 6]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(0.0 <= a <= 1.0 for a in history.history["accuracy"])


def test_initial_epoch():
    model = _classifier()
    x, y = _xy()
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]
    assert len(history.history["loss"]) == 2


def test_early_stopping_stops_training():
    model = _classifier()
    x, y = _xy()
    stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=100.0, patience=1)
    history = model.fit(x, y, epochs=20, callbacks=[stop], verbose=0)
    assert len(history.history["loss"]) == 2
    assert stop.stopped_epoch == 1


def test_predict_after_fit_uses_trained_weights():
    model = _classifier()
    x, y = _xy(n=64)
    before = model.predict(x, verbose=0)
    model.fit(x, y, epochs=3, verbose=0)
    after = model.predict(x, verbose=0)
    assert not np.allclose(before, after, atol=1e-4)
    # the predictions are exactly what the weights returned by get_weights give
    k1, b1, k2, b2 = model.get_weights()
    h = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    e = np.exp(h - h.max(axis=1, keepdims=True))
    np.testing.assert_allclose(after, e / e.sum(axis=1, keepdims=True), rtol=1e-4, atol=1e-6)
    # a fresh model given those weights predicts the same
    fresh = keras.Sequential([layers.Dense(8, activation="relu", input_dim=5), layers.Dense(3, activation="softmax")])
    fresh.set_weights(model.get_weights())
    np.testing.assert_allclose(fresh.predict(x, verbose=0), after, atol=1e-6)
    # and evaluate() after fit reads the same state
    loss = model.evaluate(x, y, verbose=0)[0]
    assert loss == pytest.approx(np.mean(-np.sum(y * np.log(after), axis=1)), rel=1e-4)


def test_set_weights_between_fits_is_used():
    model = _classifier()
    x, y = _xy()
    model.fit(x, y, epochs=1, verbose=0)
    zeros = [np.zeros_like(w) for w in model.get_weights()]
    model.set_weights(zeros)
    np.testing.assert_allclose(model.predict(x, verbose=0), 1 / 3, rtol=1e-6)
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(np.log(3), rel=1e-5)
    model.fit(x, y, epochs=1, verbose=0)  # training continues from the assigned zeros
    assert not np.allclose(model.get_weights()[-1], 0)


def test_freezing_a_model_freezes_its_layers():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.BatchNormalization()])
    inner.trainable = False
    assert [layer.trainable for layer in inner.layers] == [False, False]
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1)])
    outer.compile("sgd", "mse")
    frozen = [w.copy() for w in inner.get_weights()]
    x = np.random.default_rng(0).random((8, 3), dtype=np.float32)
    outer.train_on_batch(x, np.ones((8, 1), np.float32))
    for before, after in zip(frozen, inner.get_weights()):  # BN's moving statistics stay too
        np.testing.assert_array_equal(before, after)
    inner.trainable = True
    assert all(layer.trainable for layer in inner.layers)


def test_model_and_sequential_from_config_rebuild_the_architecture():
    """Keras's `type(model).from_config(model.get_config())` (the FAQ's way to copy an architecture)."""
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    functional = keras.Model(inputs, [keras.layers.Dense(2)(hidden), keras.layers.Dense(1)(hidden)])
    sequential = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5), keras.layers.Dense(2)])
    nested = keras.Sequential([keras.Input((3,)), sequential, keras.layers.Dense(1)])
    x = np.random.default_rng(0).random((4, 3)).astype("float32")
    for model in (functional, sequential, nested):
        copy = type(model).from_config(model.get_config())
        assert type(copy) is type(model) and copy is not model
        assert [type(layer).__name__ for layer in copy.layers] == [type(layer).__name__ for layer in model.layers]
        copy.set_weights(model.get_weights())
        got, want = copy.predict(x, verbose=0), model.predict(x, verbose=0)
        for a, b in zip(got if isinstance(got, list) else [got], want if isinstance(want, list) else [want]):
            np.testing.assert_array_equal(a, b)
