"""Keras 3's image preprocessing layers (Resizing, CenterCrop) and augmentation layers (RandomFlip,
RandomCrop, RandomContrast, RandomBrightness): outputs of real Keras 3 (fixture), numpy
references, training vs inference, a small model that trains and exports, configs and errors."""

import json
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import horn as keras
from horn import layers
from horn.frontend.saving.serialization import layer_class

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_image_preprocessing")
FIXTURE = np.load(os.path.join(DATA, "outputs.npz"))
CASES = json.loads(str(FIXTURE["cases"]))
RANDOM_OPS = {"RandomUniformLike", "RandomNormalLike", "RandomUniform", "RandomNormal", "Dropout"}


def _images(shape, seed=0):
    return np.random.default_rng(seed).uniform(0, 255, shape).astype(np.float32)


def _keras_input(kwargs):
    x = FIXTURE["x"]
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2)) if kwargs.get("data_format") == "channels_first" else x


# -- deterministic layers against real Keras 3 -----------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras3_eagerly_and_in_a_model(case):
    name, kwargs = CASES[case]
    x, want = _keras_input(kwargs), FIXTURE[case]
    layer = getattr(layers, name)(**kwargs)
    np.testing.assert_allclose(layer(x), want, rtol=1e-5, atol=2e-4)  # values in [0, 255]
    assert tuple(layer.compute_output_shape((None, *x.shape[1:]))) == (None, *want.shape[1:])
    model = keras.Sequential([keras.Input(x.shape[1:]), getattr(layers, name)(**kwargs)])
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=2e-4)


def test_resizing_then_conv_in_a_model_matches_keras():
    """A Resize between the Transposes of a channels_last Conv2D (onnxruntime's layout optimizer)."""
    x, want = FIXTURE["x"], FIXTURE["resize_up_bilinear"]
    model = keras.Sequential([keras.Input((7, 9, 3)), layers.Resizing(14, 18),
                              layers.Conv2D(1, 1, kernel_initializer="ones", bias_initializer="zeros")])
    np.testing.assert_allclose(model.predict(x, verbose=0), want.sum(-1, keepdims=True), rtol=1e-5, atol=1e-3)


def test_resizing_nearest_numpy_reference():
    x = _images((2, 5, 6, 3))
    rows, cols = np.floor((np.arange(8) + 0.5) * 5 / 8).astype(int), np.floor((np.arange(4) + 0.5) * 6 / 4).astype(int)
    np.testing.assert_array_equal(layers.Resizing(8, 4, interpolation="nearest")(x), x[:, rows][:, :, cols])


def test_resizing_keeps_integer_dtypes_rounded_and_saturated_as_keras():
    x = np.random.default_rng(1).integers(0, 256, (1, 4, 4, 2)).astype(np.uint8)
    y = layers.Resizing(7, 3)(x)
    exact = layers.Resizing(7, 3)(x.astype(np.float32))
    assert y.dtype == np.uint8
    np.testing.assert_array_equal(y, np.clip(np.floor(exact + 0.5), 0, 255).astype(np.uint8))


def test_center_crop_numpy_reference_and_float_output():
    x = np.arange(2 * 7 * 9 * 1).reshape(2, 7, 9, 1).astype(np.uint8)
    y = layers.CenterCrop(4, 5)(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x[:, 1:5, 2:7].astype(np.float32))


# -- random layers -----------------------------------------------------------------------------
def _flip_kind(out, image):
    """Which of the 4 flips of `image` `out` is: 0 none, 1 left-right, 2 upside down, 3 both."""
    flips = [image, image[:, ::-1], image[::-1], image[::-1, ::-1]]
    kinds = [k for k, f in enumerate(flips) if np.array_equal(out, f)]
    assert kinds, "the output is none of the four flips of the image"
    return kinds[0]


@pytest.mark.parametrize("mode, kinds", [("horizontal_and_vertical", {0, 3}), ("horizontal", {0, 1}),
                                         ("vertical", {0, 2})])
def test_random_flip_flips_each_image_with_probability_one_half(mode, kinds):
    """As in Keras 3 (checked on 3.15.1: 112 of 200 images kept, 88 flipped along both axes), one
    draw per image: 'horizontal_and_vertical' flips both axes or neither."""
    x = _images((400, 4, 5, 3))
    layer = layers.RandomFlip(mode)
    counts = np.bincount([_flip_kind(o, i) for o, i in zip(layer(x, training=True), x)], minlength=4)
    assert set(np.flatnonzero(counts)) == kinds
    assert 150 < counts[0] < 250  # 200 expected, 5 standard deviations 50
    second = np.array([_flip_kind(o, i) for o, i in zip(layer(x, training=True), x)])
    assert np.any(second != np.array([_flip_kind(o, i) for o, i in zip(layer(x, training=True), x)]))
    np.testing.assert_array_equal(layer(x, training=False), x)


def test_random_flip_channels_first():
    x = _images((300, 3, 4, 5))
    y = layers.RandomFlip("horizontal", data_format="channels_first")(x, training=True)
    flipped = np.array([np.array_equal(o, i[:, :, ::-1]) for o, i in zip(y, x)])
    kept = np.array([np.array_equal(o, i) for o, i in zip(y, x)])
    assert np.all(flipped | kept) and 100 < flipped.sum() < 200


def test_random_crop_takes_one_random_window_per_batch():
    x = np.arange(3 * 6 * 7 * 2, dtype=np.float32).reshape(3, 6, 7, 2)
    keras.config.set_random_seed(1)
    layer = layers.RandomCrop(3, 3)
    seen = set()
    for _ in range(250):  # each of the 20 windows missed with probability 0.95**250 < 1e-5
        y = layer(x, training=True)
        top, left = (int(v) for v in np.argwhere(x[0, :, :, 0] == y[0, 0, 0, 0])[0])
        np.testing.assert_array_equal(y, x[:, top:top + 3, left:left + 3])  # same window for the batch
        seen.add((top, left))
    assert seen == {(t, s) for t in range(4) for s in range(5)}


def test_random_crop_inference_is_an_aspect_ratio_crop_and_resize():
    x = FIXTURE["x"]  # (2, 7, 9, 3); Resizing with crop_to_aspect_ratio is checked against Keras above
    layer = layers.RandomCrop(6, 6)
    np.testing.assert_allclose(layer(x), layers.Resizing(6, 6, crop_to_aspect_ratio=True)(x), rtol=1e-6, atol=1e-4)
    np.testing.assert_allclose(layer(x), FIXTURE["resize_crop_square"], rtol=1e-5, atol=2e-4)
    small = layers.RandomCrop(8, 8)(x, training=True)  # not larger than the target: deterministic (as Keras 3.15.1)
    np.testing.assert_allclose(small, layers.Resizing(8, 8)(x[:, :, 1:9]), rtol=1e-6, atol=1e-4)


def _per_image_factor(x, y):
    """y = (x - m) * c + m per image and channel: c from two pixels."""
    return (y[:, 0, 0, 0] - y[:, 1, 1, 0]) / (x[:, 0, 0, 0] - x[:, 1, 1, 0])


def test_random_contrast_factor_range_and_formula():
    """Keras 3: factor=0.5 gives contrast factors in [1, 1.5] (its (lower, upper) is (0, 0.5))."""
    x = np.random.default_rng(1).uniform(100, 150, (600, 4, 4, 2)).astype(np.float32)
    layer = layers.RandomContrast(0.5)
    assert layer.factor == (0, 0.5)
    y = layer(x, training=True)
    c = _per_image_factor(x, y)
    assert 1.0 <= c.min() < 1.02 and 1.48 < c.max() <= 1.5
    mean = x.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) * c[:, None, None, None] + mean, rtol=1e-4, atol=1e-2)
    y2 = layers.RandomContrast((0.5, 0.5), value_range=(0, 130))(x, training=True)
    assert y2.max() <= 130 and np.any(y2 == 130)  # clipped to the value range
    np.testing.assert_array_equal(layer(x, training=False), x)


def test_random_brightness_delta_range_and_clipping():
    x = np.random.default_rng(2).uniform(100, 150, (600, 3, 3, 3)).astype(np.float32)
    y = layers.RandomBrightness(0.2)(x, training=True)
    delta = (y - x).reshape(600, -1)
    np.testing.assert_allclose(delta, delta[:, :1] * np.ones_like(delta), atol=1e-4)  # one delta per image
    assert -51 <= delta.min() < -48 and 48 < delta.max() <= 51  # 0.2 * 255
    ones = np.ones((50, 2, 2, 1), np.float32)
    y = layers.RandomBrightness((0.5, 1.0), value_range=(0, 1))(ones, training=True)
    np.testing.assert_array_equal(y, ones)  # clipped at the top of the range
    np.testing.assert_array_equal(layers.RandomBrightness(0.2)(x, training=False), x)


def test_seeded_layers_repeat_their_draws():
    x = _images((64, 5, 5, 3))
    runs = [layers.RandomBrightness(0.3, seed=7)(x, training=True) for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])


# -- a model that trains, predicts and exports --------------------------------------------------
def test_augmented_model_trains_and_exports_without_random_ops(tmp_path):
    keras.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (64, 32, 32, 3)).astype(np.float32)
    t = (x.mean(axis=(1, 2, 3)) > 127.5).astype(np.float32)[:, None]
    model = keras.Sequential([
        keras.Input((32, 32, 3)), layers.RandomFlip(), layers.RandomCrop(28, 28), layers.RandomContrast(0.1),
        layers.RandomBrightness(0.05), layers.Rescaling(1 / 255), layers.Conv2D(4, 3, activation="relu"),
        layers.GlobalAveragePooling2D(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, t, epochs=3, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 3 and np.all(np.isfinite(history.history["loss"]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    predicted = model.predict(x, verbose=0)
    np.testing.assert_array_equal(model.predict(x, verbose=0), predicted)  # no randomness outside training
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    assert not RANDOM_OPS & {n.op_type for n in onnx.load(path).graph.node}
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0], predicted,
                               rtol=1e-6, atol=1e-6)


# -- configs ------------------------------------------------------------------------------------
LAYERS = [
    lambda: layers.Resizing(5, 6, interpolation="nearest", crop_to_aspect_ratio=True),
    lambda: layers.Resizing(5, 6, pad_to_aspect_ratio=True, fill_value=1.0, data_format="channels_first"),
    lambda: layers.CenterCrop(3, 4),
    lambda: layers.RandomFlip("vertical", seed=3),
    lambda: layers.RandomCrop(3, 4, seed=1),
    lambda: layers.RandomContrast((0.1, 0.3), value_range=(0, 1)),
    lambda: layers.RandomBrightness(0.25, seed=5),
]


@pytest.mark.parametrize("make", LAYERS, ids=["Resizing-crop", "Resizing-pad", "CenterCrop", "RandomFlip",
                                              "RandomCrop", "RandomContrast", "RandomBrightness"])
def test_config_round_trip_and_lookup_by_name(make):
    layer = make()
    config = layer.get_config()
    cls = layer_class(type(layer).__name__)
    assert cls is type(layer) and getattr(keras.layers, cls.__name__) is cls
    clone = cls.from_config(json.loads(json.dumps(config)))
    assert json.loads(json.dumps(clone.get_config())) == json.loads(json.dumps(config))
    x = _images((2, 8, 9, 3)) if config.get("data_format") != "channels_first" else _images((2, 3, 8, 9))
    np.testing.assert_array_equal(clone(x), layer(x))


def test_keras3_configs_load():
    """Configs as Keras 3.15.1 writes them (get_config() of the Keras layers)."""
    dtype = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    base = {"trainable": True, "dtype": dtype, "data_format": "channels_last"}
    configs = {
        "Resizing": {"name": "resizing", "height": 3, "width": 4, "interpolation": "bilinear",
                     "crop_to_aspect_ratio": False, "pad_to_aspect_ratio": False, "fill_mode": "constant",
                     "fill_value": 0.0, "antialias": False},
        "CenterCrop": {"name": "center_crop", "height": 3, "width": 4},
        "RandomFlip": {"name": "random_flip_2", "seed": 3, "mode": "horizontal_and_vertical"},
        "RandomCrop": {"name": "random_crop_2", "height": 3, "width": 4, "seed": 296709756},
        "RandomContrast": {"name": "random_contrast", "factor": [0, 0.5], "value_range": [0, 255], "seed": None},
        "RandomBrightness": {"name": "random_brightness", "factor": [-0.2, 0.2], "value_range": [0, 255],
                             "seed": None},
    }
    for name, config in configs.items():
        layer = layer_class(name).from_config({**base, **config})
        assert layer.name == config["name"]
        for key, value in config.items():
            got = layer.get_config()[key]
            assert (list(got) if isinstance(got, tuple) else got) == value, (name, key)


# -- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, words", [
    (lambda: layers.Resizing(0, 4), ["Resizing", "height", "positive integer", "0"]),
    (lambda: layers.Resizing(4, 2.5), ["Resizing", "width", "2.5"]),
    (lambda: layers.Resizing(4, 4, interpolation="bicubic"), ["Resizing", "interpolation", "bicubic"]),
    (lambda: layers.Resizing(4, 4, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
     ["Resizing", "crop_to_aspect_ratio", "pad_to_aspect_ratio"]),
    (lambda: layers.Resizing(4, 4, fill_mode="reflect"), ["Resizing", "fill_mode", "reflect"]),
    (lambda: layers.CenterCrop(4, -1), ["CenterCrop", "width", "-1"]),
    (lambda: layers.RandomFlip("diagonal"), ["RandomFlip", "mode", "diagonal"]),
    (lambda: layers.RandomCrop(None, 3), ["RandomCrop", "height", "None"]),
    (lambda: layers.RandomContrast(1.5), ["RandomContrast", "factor", "1.5"]),
    (lambda: layers.RandomContrast(0.2, value_range=5), ["RandomContrast", "value_range", "5"]),
    (lambda: layers.RandomBrightness("x"), ["RandomBrightness", "factor", "'x'"]),
    (lambda: layers.RandomBrightness(0.1, value_range=(0, 1, 2)), ["RandomBrightness", "value_range"]),
    (lambda: layers.RandomFlip(data_format="nhwc"), ["RandomFlip", "data_format", "nhwc"]),
])
def test_bad_arguments_name_the_layer_and_argument(make, words):
    with pytest.raises(ValueError) as info:
        make()
    assert all(w in str(info.value) for w in words), str(info.value)


def test_bad_inputs_are_caught_while_tracing():
    with pytest.raises(NotImplementedError, match="antialias"):
        layers.Resizing(4, 4, antialias=True)
    with pytest.raises(Exception, match="rank 4"):
        layers.RandomFlip()(np.zeros((2, 3), np.float32), training=True)
    with pytest.raises(Exception, match="height and width known"):
        keras.Sequential([keras.Input((None, None, 3)), layers.CenterCrop(2, 2)])


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_ops_resize_in_a_model_loads_and_equals_the_layer(interpolation):
    """keras.ops.image.resize's horn form in a Lambda: onnxruntime refused to load it before."""
    from horn import ops

    x = np.random.default_rng(5).random((2, 4, 5, 3)).astype("float32")
    inputs = keras.Input((4, 5, 3))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: ops.resize(t, (8, 7), interpolation))(inputs))
    layer = keras.layers.Resizing(8, 7, interpolation=interpolation)
    np.testing.assert_allclose(model.predict(x, verbose=0), layer(x), rtol=1e-6, atol=1e-6)
