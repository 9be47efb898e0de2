"""keras.ops (and +, -, *, /, **, @, unary -) applied to the functional API's symbolic tensors,
as Keras 3 allows: each becomes an op call in the model, which predicts, trains and exports
like any other; such a model cannot be written to a Keras file yet, and says so."""

import numpy as np
import onnxruntime as ort
import pytest

import horn as keras
from horn import layers

RNG = np.random.default_rng(21)


def _model():
    x = keras.Input((4,))
    h = layers.Dense(3, name="d1")(x)
    y = keras.ops.square(h) * 2.0 + 1.0
    z = keras.ops.concatenate([y, 1.0 - keras.ops.tanh(h), -h / 4.0], axis=-1)
    return keras.Model(x, layers.Dense(2, name="d2")(z ** 2))


def _reference(model, x):
    (k1, b1), (k2, b2) = model.get_layer("d1").get_weights(), model.get_layer("d2").get_weights()
    h = x @ k1 + b1
    z = np.concatenate([h ** 2 * 2 + 1, 1 - np.tanh(h), -h / 4], axis=-1)
    return (z ** 2) @ k2 + b2


def test_ops_on_symbolic_tensors_predict_train_and_export(tmp_path):
    model = _model()
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x), rtol=1e-5, atol=1e-5)
    assert [layer.name for layer in model.layers][1:] == ["d1", "d2"]  # ops are not layers
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
    y = RNG.standard_normal((6, 2)).astype(np.float32)
    before = model.get_weights()
    model.train_on_batch(x, y)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x), rtol=1e-5, atol=1e-5)
    model.export(str(tmp_path / "m.onnx"))
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    x3 = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x3})[0],
                               model.predict(x3, verbose=0), rtol=1e-5, atol=1e-6)


def test_a_model_with_ops_says_it_cannot_be_saved(tmp_path):
    with pytest.raises(ValueError, match="keras.ops.square applied to a symbolic tensor.*Lambda"):
        _model().save(tmp_path / "m.keras")


def test_ops_between_two_inputs():
    a, b = keras.Input((3,)), keras.Input((3,))
    model = keras.Model([a, b], keras.ops.maximum(a, b) - keras.ops.mean(a * b, axis=-1, keepdims=True))
    xa, xb = RNG.standard_normal((4, 3)).astype(np.float32), RNG.standard_normal((4, 3)).astype(np.float32)
    want = np.maximum(xa, xb) - (xa * xb).mean(-1, keepdims=True)
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), want, rtol=1e-5, atol=1e-6)
