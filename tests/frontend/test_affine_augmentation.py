"""Keras 3's RandomTranslation, RandomRotation and RandomZoom: fixed transforms against real Keras 3
(fixture), training vs inference, per-image draws, seeds, a model that trains and exports, configs
and errors. GridSample's numpy reference is checked in tests/compiler (op_cases)."""

import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import horn as keras
from horn import layers
from horn.frontend.saving.serialization import layer_class

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_affine")
FIXTURE = np.load(os.path.join(DATA, "outputs.npz"))
CASES = json.loads(str(FIXTURE["cases"]))
RANDOM_OPS = {"RandomUniformLike", "RandomNormalLike", "RandomUniform", "RandomNormal", "Dropout"}


def _fixed(case, x):
    kind, kw = case.split("-")[0], CASES[case]
    if kind == "translation":
        return layers.RandomTranslation(0.5, 0.5, **kw)._transform(x, FIXTURE["translations"])
    if kind == "rotation":
        return layers.RandomRotation(0.5, **kw)._transform(x, FIXTURE["degrees"])
    return layers.RandomZoom(0.5, 0.5, **kw)._transform(x, FIXTURE["zooms"])


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixed_transforms_match_keras3(case):
    """Every fill_mode ('constant' with fill_value 0 and 0.7) and interpolation, images in [0, 1]."""
    np.testing.assert_allclose(_fixed(case, FIXTURE["x"]), FIXTURE[case], rtol=0, atol=1e-4)


def test_fixed_transforms_channels_first_and_unbatched():
    x, want = FIXTURE["x"], FIXTURE["rotation-reflect-bilinear-0.0"]
    layer = layers.RandomRotation(0.5, data_format="channels_first")
    got = layer._transform(np.ascontiguousarray(x.transpose(0, 3, 1, 2)), FIXTURE["degrees"])
    np.testing.assert_allclose(np.asarray(got).transpose(0, 2, 3, 1), want, atol=1e-4)
    one = layers.RandomRotation(0.5)._transform(x[1], FIXTURE["degrees"][1:2])
    np.testing.assert_allclose(one, want[1], atol=1e-4)


def test_numpy_references_of_simple_transforms():
    x = np.random.default_rng(0).uniform(0, 1, (2, 5, 6, 3)).astype(np.float32)
    # A whole-pixel shift (dx=2, dy=-1) with constant fill is a slice and zero padding.
    got = layers.RandomTranslation(0.5, 0.5, fill_mode="constant")._transform(x, np.array([[2, -1], [2, -1]]))
    want = np.zeros_like(x)
    want[:, :4, 2:] = x[:, 1:, :4]
    np.testing.assert_allclose(got, want, atol=1e-6)
    # 180 degrees about the centre flips both axes; a zoom of 1 is the identity.
    np.testing.assert_allclose(layers.RandomRotation(0.5)._transform(x, np.array([180.0, -180.0])),
                               x[:, ::-1, ::-1], atol=1e-5)
    np.testing.assert_allclose(layers.RandomZoom(0.5)._transform(x, np.ones((2, 2))), x, atol=1e-6)
    # 'reflect' is (d c b a | a b c d | d c b a): a shift by 2 to the right repeats columns 1, 0.
    got = layers.RandomTranslation(0.5, 0.5, interpolation="nearest")._transform(x, np.array([[2, 0], [2, 0]]))
    np.testing.assert_array_equal(got, np.concatenate([x[:, :, 1::-1], x[:, :, :4]], axis=2))


LAYER_MAKERS = {
    "RandomTranslation": lambda **kw: layers.RandomTranslation(0.3, 0.3, **kw),
    "RandomRotation": lambda **kw: layers.RandomRotation(0.2, **kw),
    "RandomZoom": lambda **kw: layers.RandomZoom(0.3, **kw),
}


@pytest.mark.parametrize("name", sorted(LAYER_MAKERS))
def test_training_draws_per_image_inference_is_the_identity(name):
    x = np.random.default_rng(1).uniform(0, 1, (6, 8, 8, 2)).astype(np.float32)
    batch = np.repeat(x[:1], 6, axis=0)  # six copies of one image
    layer = LAYER_MAKERS[name]()
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer(x, training=False), x)
    y = np.asarray(layer(batch, training=True))
    assert not np.allclose(y, batch, atol=1e-3)
    assert len({np.round(y[i], 4).tobytes() for i in range(6)}) == 6  # each image its own transform
    assert not np.allclose(layer(batch, training=True), y, atol=1e-4)  # new draws each call


@pytest.mark.parametrize("name", sorted(LAYER_MAKERS))
def test_seeded_layers_repeat_their_draws(name):
    x = np.random.default_rng(2).uniform(0, 1, (4, 8, 8, 1)).astype(np.float32)
    runs = [LAYER_MAKERS[name](seed=7)(x, training=True) for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_draws_stay_in_the_factor_ranges():
    """One bright pixel per image: where it lands gives each image's shift, inside the ranges."""
    x = np.zeros((200, 11, 11, 1), np.float32)
    x[:, 5, 5] = 1.0
    y = np.asarray(layers.RandomTranslation((0.0, 0.2), (-0.2, 0.0), fill_mode="constant",
                                            interpolation="nearest")(x, training=True))
    rows, cols = np.nonzero(y[..., 0].reshape(200, -1) > 0.5)[1] // 11, np.nonzero(y[..., 0].reshape(200, -1))[1] % 11
    assert rows.min() >= 5 and rows.max() <= 7 and cols.min() >= 3 and cols.max() <= 5
    assert len(set(rows)) == 3 and len(set(cols)) == 3


def test_model_with_affine_augmentation_trains_and_exports(tmp_path):
    keras.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (48, 16, 16, 3)).astype(np.float32)
    t = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)[:, None]
    model = keras.Sequential([
        keras.Input((16, 16, 3)), layers.RandomRotation(0.1), layers.RandomZoom(0.2, fill_mode="nearest"),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant", fill_value=0.5),
        layers.Conv2D(4, 3, activation="relu"), layers.GlobalAveragePooling2D(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, t, epochs=2, batch_size=16, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    predicted = model.predict(x, verbose=0)
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    kinds = {n.op_type for n in onnx.load(path).graph.node}
    assert not (RANDOM_OPS | {"GridSample"}) & kinds
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0], predicted,
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.RandomTranslation((-0.2, 0.3), 0.1, fill_mode="wrap", seed=3),
    lambda: layers.RandomRotation((-0.1, 0.2), interpolation="nearest", fill_value=0.5),
    lambda: layers.RandomZoom(0.2, (-0.1, 0.3), fill_mode="constant", data_format="channels_first"),
], ids=["RandomTranslation", "RandomRotation", "RandomZoom"])
def test_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    cls = layer_class(type(layer).__name__)
    assert cls is type(layer) and getattr(keras.layers, cls.__name__) is cls
    clone = cls.from_config(json.loads(json.dumps(config)))
    assert json.loads(json.dumps(clone.get_config())) == json.loads(json.dumps(config))


def test_keras3_configs_load():
    for name, config in json.loads(str(FIXTURE["configs"])).items():
        layer = layer_class(name).from_config(config)
        got = layer.get_config()
        for key in ("fill_mode", "interpolation", "seed", "fill_value", "data_format"):
            assert got[key] == config[key], (name, key)
        for key in ("factor", "height_factor", "width_factor"):
            if key in config and config[key] is not None:
                want = config[key]
                want = [-abs(want), abs(want)] if isinstance(want, (int, float)) else sorted(want)
                assert list(got[key]) == want, (name, key)


@pytest.mark.parametrize("make, words", [
    (lambda: layers.RandomTranslation(1.5, 0.1), ["RandomTranslation", "height_factor", "1.5"]),
    (lambda: layers.RandomTranslation(0.1, (0.1, 0.2, 0.3)), ["RandomTranslation", "width_factor"]),
    (lambda: layers.RandomZoom(-1.0), ["RandomZoom", "height_factor", "-1.0"]),
    (lambda: layers.RandomZoom(0.1, "x"), ["RandomZoom", "width_factor", "'x'"]),
    (lambda: layers.RandomRotation(2.0), ["RandomRotation", "factor", "2.0"]),
    (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), ["RandomRotation", "fill_mode", "mirror"]),
    (lambda: layers.RandomZoom(0.1, interpolation="bicubic"), ["RandomZoom", "interpolation", "bicubic"]),
    (lambda: layers.RandomTranslation(0.1, 0.1, fill_value="a"), ["RandomTranslation", "fill_value"]),
    (lambda: layers.RandomRotation(0.1, data_format="nhwc"), ["RandomRotation", "data_format", "nhwc"]),
])
def test_bad_arguments_name_the_layer_and_argument(make, words):
    with pytest.raises(ValueError) as info:
        make()
    assert all(w in str(info.value) for w in words), str(info.value)


def test_bad_inputs_are_caught_while_tracing():
    with pytest.raises(Exception, match="RandomRotation.*rank 4"):
        layers.RandomRotation(0.1)(np.zeros((2, 3), np.float32), training=True)


def test_a_trained_layer_before_the_resampling_is_refused_clearly():
    """Gradients do not pass GridSample: training a weight before it raises instead of leaving
    that weight's gradient at zero in silence."""
    inputs = keras.Input((8, 8, 3))
    hidden = keras.layers.Conv2D(3, 1)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(
        keras.layers.RandomRotation(0.1, seed=1)(hidden))))
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    with pytest.raises(NotImplementedError, match="must come before any layer with trainable weights"):
        model.train_on_batch(x, np.zeros((4, 1), "float32"))
