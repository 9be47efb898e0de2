"""Normalization (Keras 3's preprocessing layer): adapt() against numpy and against what Keras
3.15.1 computed (tests/data/keras3_normalization), given statistics, invert, training and export."""

import os

import numpy as np
import onnxruntime as ort
import pytest

import horn as keras

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_normalization")
EPS = 1e-7


def _data():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(50, 4, 3)) * [1, 5, 0.1] + [3, -2, 7]).astype("float32")
    q = (rng.normal(size=(6, 4, 3)) * 2).astype("float32")
    return x, q


@pytest.mark.parametrize("axis, reduce", [(-1, (0, 1)), (None, (0, 1, 2)), ((1, 2), (0,)), (1, (0, 2))])
def test_adapt_matches_numpy(axis, reduce):
    x, q = _data()
    layer = keras.layers.Normalization(axis=axis)
    layer.adapt(x)
    mean, var = x.mean(axis=reduce, keepdims=True), x.var(axis=reduce, keepdims=True)
    np.testing.assert_allclose(layer(q), (q - mean) / np.maximum(np.sqrt(var), EPS), rtol=1e-5, atol=1e-5)
    stats = layer.get_weights()
    np.testing.assert_allclose(stats[0], np.squeeze(mean, reduce), rtol=1e-6)
    np.testing.assert_allclose(stats[1], np.squeeze(var, reduce), rtol=1e-6)


def test_adapt_as_keras_computed_it():
    x, q = _data()
    expected = np.load(os.path.join(DATA, "expected.npz"))
    layer = keras.layers.Normalization()
    layer.adapt(x)
    np.testing.assert_array_equal(layer(q), expected["adapt0"])
    np.testing.assert_array_equal(layer.get_weights()[0], expected["w0_mean"])
    np.testing.assert_array_equal(layer.get_weights()[1], expected["w0_var"])
    batched = keras.layers.Normalization()
    batched.adapt([x[:20], x[20:33], x[33:]])  # statistics combined batch by batch
    np.testing.assert_allclose(batched(q), expected["batches0"], rtol=2e-6, atol=2e-6)


def test_given_statistics_invert_and_a_zero_variance():
    _, q = _data()
    given = keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0])
    expected = (q - [1.0, 2.0, 3.0]) / np.maximum(np.sqrt([4.0, 0.0, 9.0]), EPS)
    np.testing.assert_allclose(given(q), expected, rtol=1e-6)
    assert not given.weights
    scalar = keras.layers.Normalization(axis=None, mean=2.0, variance=3.0)
    np.testing.assert_allclose(scalar(q), (q - 2.0) / np.sqrt(3.0), rtol=1e-6)
    x, _ = _data()
    inverse = keras.layers.Normalization(invert=True)
    inverse.adapt(x)
    mean, std = x.mean(axis=(0, 1)), x.std(axis=(0, 1))
    np.testing.assert_allclose(inverse(q), mean + q * std, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["k.keras", "k.h5"])
def test_keras_saved_model_predicts_what_keras_predicted(name):
    expected = np.load(os.path.join(DATA, "expected.npz"))
    model = keras.models.load_model(os.path.join(DATA, name))
    np.testing.assert_allclose(model.predict(expected["q"], verbose=0), expected["predicted"], rtol=1e-6, atol=2e-5)


def test_in_a_model_trains_round_trips_and_exports(tmp_path):
    x, _ = _data()
    x = x.reshape(-1, 3)
    y = x.sum(axis=1, keepdims=True)
    norm = keras.layers.Normalization()
    norm.adapt(x)
    model = keras.Sequential([keras.Input((3,)), norm, keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.1 * before
    np.testing.assert_array_equal(model.get_weights()[0], norm.get_weights()[0])  # not trained
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    onnx_path = str(tmp_path / "m.onnx")
    model.export(onnx_path, verbose=False)
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x[:7]})[0]
    np.testing.assert_allclose(got, model.predict(x[:7], verbose=0), rtol=1e-6, atol=1e-6)


def test_config_round_trip():
    layer = keras.layers.Normalization(axis=(1, 2), invert=True, name="n")
    again = keras.layers.Normalization.from_config(layer.get_config())
    assert (again.axis, again.invert, again.name, again.input_mean) == ((1, 2), True, "n", None)
    given = keras.layers.Normalization(mean=[1.0, 2.0], variance=[1.0, 4.0])
    assert keras.layers.Normalization.from_config(given.get_config()).input_variance == [1.0, 4.0]


@pytest.mark.parametrize("make, call, message", [
    (lambda: keras.layers.Normalization(mean=1.0), None, "needs both mean and variance"),
    (lambda: keras.layers.Normalization(axis="x"), None, "axis=...) must be an int"),
    (lambda: keras.layers.Normalization(axis=3), lambda n: n.adapt(np.zeros((4, 3), "float32")), "out of range"),
    (lambda: keras.layers.Normalization(), lambda n: (n.adapt(np.zeros((4, 3), "float32")),
                                                      n.adapt(np.zeros((4, 5), "float32"))), "was built for inputs"),
    (lambda: keras.layers.Normalization(mean=0.0, variance=1.0),
     lambda n: n.adapt(np.zeros((4, 3), "float32")), "was given mean and variance"),
])
def test_errors(make, call, message):
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace(".", r"\.")):
        layer = make()
        call(layer)
