"""Lambda: a function of the inputs as a layer, saved as Keras saves it (a Python lambda's
bytecode, a named function's name), and loaded so that a file's code runs only when asked."""

import base64
import json
import marshal
import os

import numpy as np
import pytest

import horn as keras
from horn import layers
from horn.frontend.saving import safe_mode

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "keras3_lambda")
RNG = np.random.default_rng(12)


def scale_rows(t, factor=3.0):
    return t * factor


def test_lambda_values_arguments_and_training():
    x = keras.Input((4,))
    y = layers.Lambda(lambda t, power: keras.ops.power(t, power), arguments={"power": 2.0})(x)
    y = layers.Lambda(scale_rows, output_shape=(4,))(y)
    dense = layers.Dense(2)
    model = keras.Model(x, dense(y))
    data = RNG.standard_normal((5, 4)).astype(np.float32)
    k, b = dense.get_weights()
    np.testing.assert_allclose(model.predict(data, verbose=0), (data ** 2 * 3.0) @ k + b, rtol=1e-5, atol=1e-5)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="mse")
    target = RNG.standard_normal((5, 2)).astype(np.float32)
    before = model.evaluate(data, target, verbose=0)
    for _ in range(5):
        model.train_on_batch(data, target)
    assert model.evaluate(data, target, verbose=0) < before


def test_lambda_mask_argument():
    """A mask function gives the output mask; without one the mask stops (Keras)."""
    ids = np.array([[3, 1, 0, 0], [2, 0, 0, 0]], np.int32)
    inp = keras.Input((4,), dtype="int32")
    emb = layers.Embedding(5, 3, mask_zero=True)(inp)
    kept = layers.Lambda(lambda t: t * 1.0, mask=lambda inputs, mask: mask)(emb)
    dropped = layers.Lambda(lambda t: t * 1.0)(emb)
    pool = layers.GlobalAveragePooling1D()
    model = keras.Model(inp, [pool(kept), pool(dropped)])
    vectors = model.layers[1].get_weights()[0][ids]
    masked, plain = model.predict(ids, verbose=0)
    np.testing.assert_allclose(masked, (vectors * (ids > 0)[..., None]).sum(1) / (ids > 0).sum(1, keepdims=True),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(plain, vectors.mean(1), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_keras_saved_lambdas_load_only_when_allowed(ext):
    path = os.path.join(FIXTURES, f"lambda.{ext}")
    custom = {"scale_rows": scale_rows}
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(path, custom_objects=custom)
    with pytest.raises(ValueError, match="scale_rows"):  # a named function must be given
        keras.models.load_model(path, safe_mode=False)
    data = np.load(os.path.join(FIXTURES, "lambda.npz"))
    model = keras.models.load_model(path, custom_objects=custom, safe_mode=False)
    np.testing.assert_allclose(model.predict(data["x0"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_round_trip_and_the_global_switch(tmp_path, ext):
    x = keras.Input((3,))
    model = keras.Model(x, layers.Dense(2)(layers.Lambda(lambda t: keras.ops.tanh(t) + 1.0)(x)))
    data = RNG.standard_normal((4, 3)).astype(np.float32)
    model.save(tmp_path / f"m.{ext}")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / f"m.{ext}")
    keras.config.enable_unsafe_deserialization()
    try:
        loaded = keras.models.load_model(tmp_path / f"m.{ext}")
    finally:
        safe_mode._enabled_globally[0] = False
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0), rtol=1e-6)


def test_keras2_lambda_config():
    """Keras 2 wrote function=[code, defaults, closure] with function_type='lambda'."""
    offset = 0.5
    fn = lambda t: t * 2.0 + offset  # noqa: E731 (a closure over offset)
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    config = {"name": "old", "function": [code, None, [offset]], "function_type": "lambda",
              "output_shape": None, "output_shape_type": "raw", "arguments": {}}
    with pytest.raises(ValueError, match="bytecode"):
        layers.Lambda.from_config(json.loads(json.dumps(config)))
    with safe_mode.unsafe_scope(True):
        layer = layers.Lambda.from_config(json.loads(json.dumps(config)))
    np.testing.assert_allclose(layer(np.ones((1, 2), np.float32)), [[2.5, 2.5]])
