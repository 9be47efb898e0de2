"""GroupNormalization against a numpy reference, a training step against finite differences, a
Keras 3.15.1-saved model, unknown spatial sizes, export and errors."""

import os

import numpy as np
import onnxruntime as ort
import pytest

import horn as keras

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_group_norm")


def _reference(x, groups, gamma, beta, axis=-1, epsilon=1e-3):
    x = np.moveaxis(x.astype(np.float64), axis, -1)
    shape = x.shape
    g = x.reshape(shape[:-1] + (groups, shape[-1] // groups))
    reduce = tuple(range(1, g.ndim - 2)) + (g.ndim - 1,)
    mean, var = g.mean(axis=reduce, keepdims=True), g.var(axis=reduce, keepdims=True)
    y = ((g - mean) / np.sqrt(var + epsilon)).reshape(shape) * gamma + beta
    return np.moveaxis(y, -1, axis)


@pytest.mark.parametrize("shape, kwargs, groups", [
    ((3, 5, 6, 8), {"groups": 4}, 4),
    ((3, 5, 6, 8), {"groups": -1}, 8),
    ((3, 5, 6, 8), {"groups": 1, "epsilon": 1e-5}, 1),
    ((4, 7, 12), {"groups": 3}, 3),
    ((3, 8, 5, 6), {"groups": 2, "axis": 1}, 2),
])
def test_against_numpy(shape, kwargs, groups):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=shape) * 3 + 1).astype("float32")
    layer = keras.layers.GroupNormalization(**kwargs)
    layer.build(shape)
    channels = shape[kwargs.get("axis", -1)]
    gamma, beta = rng.normal(size=channels).astype("float32"), rng.normal(size=channels).astype("float32")
    layer.set_weights([gamma, beta])
    want = _reference(x, groups, gamma, beta, kwargs.get("axis", -1), kwargs.get("epsilon", 1e-3))
    np.testing.assert_allclose(layer(x), want, rtol=1e-5, atol=1e-5)


def test_center_and_scale_off():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 7, 12)).astype("float32")
    layer = keras.layers.GroupNormalization(groups=3, center=False, scale=False)
    np.testing.assert_allclose(layer(x), _reference(x, 3, 1.0, 0.0), rtol=1e-5, atol=1e-5)
    assert not layer.weights


def test_a_training_step_matches_finite_differences():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 4, 6)).astype("float32")
    y = rng.normal(size=(3, 1)).astype("float32")
    inputs = keras.Input((4, 6))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(
        keras.layers.GroupNormalization(groups=2)(keras.layers.Dense(6)(inputs)))))
    model.set_weights([(rng.normal(size=w.shape) * 0.5 + (1.0 if "gamma" in w.name else 0.0)).astype("float32")
                       for w in model.weights])
    before = [w.astype(np.float64) for w in model.get_weights()]

    def loss(weights):
        model.set_weights([w.astype(np.float32) for w in weights])
        return float(np.mean((model.predict(x, verbose=0).astype(np.float64) - y) ** 2))

    model.set_weights([w.astype(np.float32) for w in before])
    model.compile(keras.optimizers.SGD(1.0), "mse")
    model.train_on_batch(x, y)
    step = [b - a for b, a in zip(before, model.get_weights())]
    for k in (0, 2, 3):  # the first Dense kernel, gamma, beta
        flat = step[k].reshape(-1)
        for i in (0, flat.size // 2, flat.size - 1):
            plus = [w.copy() for w in before]
            minus = [w.copy() for w in before]
            plus[k].reshape(-1)[i] += 1e-3
            minus[k].reshape(-1)[i] -= 1e-3
            np.testing.assert_allclose(flat[i], (loss(plus) - loss(minus)) / 2e-3, rtol=2e-2, atol=2e-4)


def test_keras_saved_model_predicts_what_keras_predicted():
    expected = np.load(os.path.join(DATA, "expected.npz"))
    model = keras.models.load_model(os.path.join(DATA, "k.keras"))
    np.testing.assert_allclose(model.predict(expected["x"], verbose=0), expected["predicted"], rtol=1e-5, atol=1e-5)


def test_unknown_spatial_sizes_and_export(tmp_path):
    rng = np.random.default_rng(3)
    inputs = keras.Input((None, None, 8))
    model = keras.Model(inputs, keras.layers.GroupNormalization(groups=4)(inputs))
    model.set_weights([rng.normal(size=8).astype("float32"), rng.normal(size=8).astype("float32")])
    gamma, beta = model.get_weights()
    for hw in ((5, 6), (3, 9)):
        x = rng.normal(size=(2,) + hw + (8,)).astype("float32")
        np.testing.assert_allclose(model.predict(x, verbose=0), _reference(x, 4, gamma, beta), rtol=1e-5, atol=1e-5)
    path = str(tmp_path / "g.onnx")
    model.export(path, verbose=False)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = rng.normal(size=(3, 4, 7, 8)).astype("float32")
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0],
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


def test_config_round_trip():
    layer = keras.layers.GroupNormalization(groups=2, axis=1, epsilon=1e-5, center=False, name="g")
    again = keras.layers.GroupNormalization.from_config(layer.get_config())
    assert (again.groups, again.axis, again.epsilon, again.center, again.name) == (2, 1, 1e-5, False, "g")


@pytest.mark.parametrize("kwargs, shape, message", [
    ({"groups": 0}, None, "groups=...) must be a positive integer"),
    ({"groups": 5}, (2, 3, 8), "groups=5, which must divide its 8 channels"),
    ({"groups": 16}, (2, 3, 8), "groups=16, which must divide its 8 channels"),
    ({"groups": 2, "axis": 0}, (2, 3, 8), "not a non-batch axis"),
])
def test_errors(kwargs, shape, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        keras.layers.GroupNormalization(**kwargs).build(shape)
