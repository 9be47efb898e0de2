"""ZeroPadding, Cropping and UpSampling layers against numpy references written here (Keras's
semantics; bilinear upsampling is TensorFlow's half-pixel resize), in both data formats.

Each case checks: output shapes (None batch), the config round trip, eager outputs, one SGD step
of a Dense layer in front of it against finite differences of the numpy loss (the gradient
through the layer), and the exported ONNX file against predict(). Then the argument forms and
the errors.
"""

from dataclasses import dataclass

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from gradcheck import central_differences

import horn as keras
from horn import layers

RNG = np.random.default_rng(11)


# -- numpy references (channels_last) -----------------------------------------------------------
def np_bilinear_weights(n_in, factor):
    """TensorFlow's half-pixel bilinear resize along one axis, as an (n_in * factor, n_in) matrix:
    source = (o + 0.5) / factor - 0.5, the two neighbours clamped to the input."""
    n_out = n_in * factor
    src = (np.arange(n_out) + 0.5) / factor - 0.5
    lo = np.floor(src)
    frac = src - lo
    m = np.zeros((n_out, n_in))
    for o in range(n_out):
        m[o, int(np.clip(lo[o], 0, n_in - 1))] += 1 - frac[o]
        m[o, int(np.clip(lo[o] + 1, 0, n_in - 1))] += frac[o]
    return m


def reference(layer, x):
    first = getattr(layer, "data_format", "channels_last") == "channels_first"
    if first:
        x = np.moveaxis(x, 1, -1)
    r = x.ndim - 2
    name = type(layer).__name__
    if name.startswith("ZeroPadding"):
        y = np.pad(x, [(0, 0)] + list(layer.padding) + [(0, 0)])
    elif name.startswith("Cropping"):
        y = x[(slice(None),) + tuple(slice(a, n - b) for (a, b), n in zip(layer.cropping, x.shape[1:-1]))]
    elif getattr(layer, "interpolation", "nearest") == "nearest":
        y = x
        for axis, s in zip(range(1, r + 1), layer.size):
            y = np.repeat(y, s, axis=axis)
    else:
        mh = np_bilinear_weights(x.shape[1], layer.size[0])
        mw = np_bilinear_weights(x.shape[2], layer.size[1])
        y = np.einsum("oh,nhwc,pw->nopc", mh, x, mw)
    return np.moveaxis(y, -1, 1) if first else y


@dataclass
class Case:
    cls: type
    kwargs: dict
    input_shape: tuple
    output_shape: tuple


CASES = [
    Case(layers.ZeroPadding1D, {}, (4, 3), (6, 3)),
    Case(layers.ZeroPadding1D, dict(padding=(0, 2)), (5, 2), (7, 2)),
    Case(layers.ZeroPadding1D, dict(padding=(2, 1), data_format="channels_first"), (2, 5), (2, 8)),
    Case(layers.ZeroPadding2D, {}, (3, 4, 2), (5, 6, 2)),
    Case(layers.ZeroPadding2D, dict(padding=(2, 0)), (3, 4, 2), (7, 4, 2)),
    Case(layers.ZeroPadding2D, dict(padding=((1, 0), (2, 3)), data_format="channels_first"), (2, 3, 3), (2, 4, 8)),
    Case(layers.ZeroPadding3D, dict(padding=((0, 1), 2, (1, 0))), (2, 3, 2, 2), (3, 7, 3, 2)),
    Case(layers.ZeroPadding3D, dict(padding=1, data_format="channels_first"), (2, 2, 3, 2), (2, 4, 5, 4)),
    Case(layers.Cropping1D, {}, (5, 3), (3, 3)),
    Case(layers.Cropping1D, dict(cropping=(0, 3)), (7, 2), (4, 2)),
    Case(layers.Cropping2D, dict(cropping=((2, 1), (0, 3))), (6, 7, 2), (3, 4, 2)),
    Case(layers.Cropping2D, dict(cropping=1, data_format="channels_first"), (2, 5, 4), (2, 3, 2)),
    Case(layers.Cropping2D, {}, (3, 4, 2), (3, 4, 2)),
    Case(layers.Cropping3D, {}, (4, 5, 3, 2), (2, 3, 1, 2)),
    Case(layers.Cropping3D, dict(cropping=((0, 1), 1, (2, 0)), data_format="channels_first"), (2, 4, 5, 4),
         (2, 3, 3, 2)),
    Case(layers.UpSampling1D, {}, (3, 2), (6, 2)),
    Case(layers.UpSampling1D, dict(size=3), (4, 3), (12, 3)),
    Case(layers.UpSampling2D, {}, (3, 4, 2), (6, 8, 2)),
    Case(layers.UpSampling2D, dict(size=(3, 2), data_format="channels_first"), (2, 3, 3), (2, 9, 6)),
    Case(layers.UpSampling2D, dict(size=(2, 3), interpolation="bilinear"), (3, 4, 2), (6, 12, 2)),
    Case(layers.UpSampling2D, dict(size=3, interpolation="bilinear", data_format="channels_first"), (2, 3, 2),
         (2, 9, 6)),
    Case(layers.UpSampling3D, {}, (2, 3, 2, 2), (4, 6, 4, 2)),
    Case(layers.UpSampling3D, dict(size=(1, 2, 3), data_format="channels_first"), (2, 2, 2, 3), (2, 2, 4, 9)),
]
IDS = [f"{c.cls.__name__}-{'-'.join(f'{k}={v}' for k, v in c.kwargs.items()) or 'defaults'}" for c in CASES]


def _data(case, batch=3):
    return RNG.standard_normal((batch, *case.input_shape)).astype(np.float32)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_output_shapes(case):
    layer = case.cls(**case.kwargs)
    assert tuple(layer.compute_output_shape((None, *case.input_shape))) == (None, *case.output_shape)
    out = layer(keras.Input(shape=case.input_shape))
    assert tuple(out.shape) == (None, *case.output_shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trip(case):
    layer = case.cls(**case.kwargs)
    config = layer.get_config()
    clone = case.cls.from_config(config)
    assert type(clone) is case.cls and clone.get_config() == config
    clone_y, y = clone(_data(case, 1) * 0 + 1), layer(np.ones((1, *case.input_shape), np.float32))
    np.testing.assert_array_equal(clone_y, y)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eager_matches_numpy(case):
    layer = case.cls(**case.kwargs)
    x = _data(case)
    y = layer(x)
    assert y.shape == (len(x), *case.output_shape)
    np.testing.assert_allclose(y, reference(layer, x.astype(np.float64)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sgd_step_follows_finite_differences(case):
    """Dense (on the last axis) -> layer -> Flatten, mse, one SGD step with lr 1: the Dense
    weights move by minus the finite-difference gradient of the numpy loss (float64)."""
    dense = layers.Dense(case.input_shape[-1])
    layer = case.cls(**case.kwargs)
    model = keras.Sequential([keras.Input(shape=case.input_shape), dense, layer, layers.Flatten()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    weights = [RNG.standard_normal(w.shape).astype(np.float32) for w in dense.weights]
    dense.set_weights(weights)
    x = _data(case)
    t = RNG.standard_normal((len(x), int(np.prod(case.output_shape)))).astype(np.float32)
    x64, t64 = x.astype(np.float64), t.astype(np.float64)

    def loss(ws):
        return float(np.mean((reference(layer, x64 @ ws[0] + ws[1]).reshape(len(x), -1) - t64) ** 2))

    w64 = [w.astype(np.float64) for w in weights]
    np.testing.assert_allclose(model.train_on_batch(x, t), loss(w64), rtol=1e-5)
    for before, after, want in zip(weights, dense.get_weights(), central_differences(loss, w64)):
        np.testing.assert_allclose(before - after, want, rtol=1e-3, atol=2e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_export_equals_predict(case, tmp_path):
    model = keras.Sequential([keras.Input(shape=case.input_shape), case.cls(**case.kwargs)])
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for n in (1, 4):
        x = RNG.standard_normal((n, *case.input_shape)).astype(np.float32)
        (got,) = session.run(None, {session.get_inputs()[0].name: x})
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
        assert got.shape == (n, *case.output_shape)


# -- argument forms, configs, graphs ------------------------------------------------------------
@pytest.mark.parametrize("make, attr, want", [
    (lambda: layers.ZeroPadding1D(3), "padding", ((3, 3),)),
    (lambda: layers.ZeroPadding2D(2), "padding", ((2, 2), (2, 2))),
    (lambda: layers.ZeroPadding2D((1, 2)), "padding", ((1, 1), (2, 2))),
    (lambda: layers.ZeroPadding2D([[1, 0], [0, 2]]), "padding", ((1, 0), (0, 2))),
    (lambda: layers.ZeroPadding3D((1, 2, 3)), "padding", ((1, 1), (2, 2), (3, 3))),
    (lambda: layers.Cropping1D(2), "cropping", ((2, 2),)),
    (lambda: layers.Cropping2D((1, 0)), "cropping", ((1, 1), (0, 0))),
    (lambda: layers.Cropping3D(((0, 1), (2, 3), (4, 5))), "cropping", ((0, 1), (2, 3), (4, 5))),
    (lambda: layers.UpSampling2D(3), "size", (3, 3)),
    (lambda: layers.UpSampling3D((1, 2, 3)), "size", (1, 2, 3)),
])
def test_argument_forms(make, attr, want):
    assert getattr(make(), attr) == want


def test_keras_config_values():
    """Keras 3 writes the normalized forms; 1-D layers keep their 1-D forms."""
    assert layers.ZeroPadding2D(1).get_config()["padding"] == ((1, 1), (1, 1))
    assert layers.ZeroPadding1D(2).get_config()["padding"] == (2, 2)
    assert layers.Cropping1D(1).get_config()["cropping"] == (1, 1)
    assert "data_format" not in layers.Cropping1D().get_config()
    assert layers.UpSampling1D(3).get_config()["size"] == 3
    up = layers.UpSampling2D(interpolation="bilinear").get_config()
    assert up["size"] == (2, 2) and up["interpolation"] == "bilinear"
    # Configs read back from JSON hold lists.
    assert layers.ZeroPadding2D.from_config({"padding": [[1, 2], [3, 4]], "data_format": "channels_last"}
                                            ).padding == ((1, 2), (3, 4))


def test_upsampling_takes_an_unknown_number_of_steps():
    layer = layers.UpSampling1D(2)
    out = layer(keras.Input(shape=(None, 3)))
    assert tuple(out.shape) == (None, None, 3)
    x = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    np.testing.assert_array_equal(layer(x), np.repeat(x, 2, axis=1))


def test_bilinear_upsampling_keeps_constants_and_edges():
    """Half-pixel centres: a constant image stays constant, the corner pixels are the input's
    corners, and interior values are 1/4 - 3/4 blends of their neighbours."""
    x = np.arange(6, dtype=np.float32).reshape(1, 2, 3, 1)
    y = layers.UpSampling2D(2, interpolation="bilinear")(x)[0, ..., 0]
    np.testing.assert_allclose(y[0], [0, 0.25, 0.75, 1.25, 1.75, 2], rtol=1e-6)
    np.testing.assert_allclose(y[:, 0], [0, 0.75, 2.25, 3], rtol=1e-6)
    np.testing.assert_allclose(layers.UpSampling2D(3, interpolation="bilinear")(np.ones((1, 2, 2, 1), np.float32)),
                               1.0, rtol=1e-6)


def test_nearest_upsampling_is_one_resize_in_the_export(tmp_path):
    model = keras.Sequential([keras.Input(shape=(4, 4, 2)), layers.UpSampling2D(), layers.ZeroPadding2D(),
                              layers.Cropping2D(1)])
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    ops = [n.op_type for n in onnx.load(path).graph.node]
    assert ops.count("Resize") == 1 and ops.count("Pad") == 1 and ops.count("Slice") == 1, ops


def test_a_small_autoencoder_learns():
    keras.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = np.repeat(np.repeat(rng.random((64, 4, 4, 1)), 2, axis=1), 2, axis=2).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.ZeroPadding2D(1),
                              layers.Conv2D(4, 3, activation="relu"), layers.MaxPooling2D(),
                              layers.UpSampling2D(interpolation="bilinear"), layers.ZeroPadding2D(1),
                              layers.Conv2D(1, 3), layers.Cropping2D(0)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    history = model.fit(x, x, epochs=40, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


# -- errors --------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: layers.ZeroPadding2D(-1), "`padding` cannot be negative"),
    (lambda: layers.ZeroPadding2D(((1, -2), (0, 0))), "`padding` cannot be negative"),
    (lambda: layers.ZeroPadding2D((1, 2, 3)), "`padding` must be an int, a tuple of 2 ints"),
    (lambda: layers.ZeroPadding1D((1, 2, 3)), r"`padding` must be an int or a tuple of 2 ints"),
    (lambda: layers.ZeroPadding3D(((1, 2, 3), 1, 1)), "`padding` must be an int, a tuple of 3 ints"),
    (lambda: layers.Cropping2D(((1, 1), (0,))), "`cropping` must be an int, a tuple of 2 ints"),
    (lambda: layers.Cropping1D(-1), "`cropping` cannot be negative"),
    (lambda: layers.Cropping3D("1"), "`cropping` must be an int"),
    (lambda: layers.UpSampling2D(0), "`size` must be > 0"),
    (lambda: layers.UpSampling3D((2, -1, 2)), "`size` must be > 0"),
    (lambda: layers.UpSampling2D(interpolation="bicubic"), "`interpolation` must be 'nearest' or 'bilinear'"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make, input_shape, match", [
    (lambda: layers.Cropping2D(((2, 2), (0, 0)), name="crop"), (4, 5, 1),
     r"Layer 'crop' \(Cropping2D\) cannot crop 2 \+ 2 from spatial axis 0 of size 4 .*\(None, 4, 5, 1\)"),
    (lambda: layers.Cropping1D((3, 4), name="c1"), (7, 2), r"Layer 'c1' .*cannot crop 3 \+ 4 .*size 7"),
    (lambda: layers.Cropping3D(1, data_format="channels_first", name="c3"), (2, 4, 2, 4),
     r"Layer 'c3' .*spatial axis 1 of size 2"),
    (lambda: layers.Cropping1D(1, name="c1n"), (None, 3), r"Layer 'c1n' .*spatial sizes of its input to be known"),
])
def test_cropping_more_than_the_input(make, input_shape, match):
    with pytest.raises(ValueError, match=match):
        make()(keras.Input(shape=input_shape))


@pytest.mark.parametrize("make", [layers.ZeroPadding2D, layers.Cropping3D, layers.UpSampling1D])
def test_input_of_the_wrong_rank_names_the_layer(make):
    with pytest.raises(ValueError, match=r"layer 'which'.*expected ndim=\d, found ndim=2"):
        make(name="which")(keras.Input(shape=(4,)))


# -- ops.resize (keras.ops.image.resize) ----------------------------------------------------------
def _tf_nearest(n_in, n_out):
    """TensorFlow's half-pixel nearest resize: source floor((o + 0.5) * in / out)."""
    return np.minimum(np.floor((np.arange(n_out) + 0.5) * n_in / n_out).astype(int), n_in - 1)


def _tf_bilinear(n_in, n_out):
    src = (np.arange(n_out) + 0.5) * n_in / n_out - 0.5
    lo = np.floor(src)
    frac = src - lo
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.arange(n_out), np.clip(lo, 0, n_in - 1).astype(int)), 1 - frac)
    np.add.at(m, (np.arange(n_out), np.clip(lo + 1, 0, n_in - 1).astype(int)), frac)
    return m


@pytest.mark.parametrize("size", [(7, 3), (2, 9), (10, 10)])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_ops_resize_matches_tensorflow(size, data_format):
    x = RNG.standard_normal((2, 5, 6, 3)).astype(np.float32)
    xin = x if data_format == "channels_last" else np.ascontiguousarray(np.moveaxis(x, -1, 1))
    lin = keras.ops.resize(xin, size, data_format=data_format)
    near = keras.ops.resize(xin, size, interpolation="nearest", data_format=data_format)
    want_lin = np.einsum("oh,nhwc,pw->nopc", _tf_bilinear(5, size[0]), x, _tf_bilinear(6, size[1]))
    want_near = x[:, _tf_nearest(5, size[0])][:, :, _tf_nearest(6, size[1])]
    if data_format == "channels_first":
        want_lin, want_near = np.moveaxis(want_lin, -1, 1), np.moveaxis(want_near, -1, 1)
    np.testing.assert_allclose(lin, want_lin, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(near, want_near)
    unbatched = keras.ops.resize(xin[0], size, data_format=data_format)
    np.testing.assert_allclose(unbatched, lin[0], rtol=1e-6, atol=1e-6)


def test_ops_pad_modes_and_errors():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(keras.ops.pad(x, 1), np.pad(x, 1))
    np.testing.assert_array_equal(keras.ops.pad(x, [(0, 1), (2, 0)], constant_values=-1.0),
                                  np.pad(x, [(0, 1), (2, 0)], constant_values=-1))
    for mode in ("reflect", "edge", "wrap"):
        np.testing.assert_array_equal(keras.ops.pad(x, [(1, 1), (2, 1)], mode=mode),
                                      np.pad(x, [(1, 1), (2, 1)], mode=mode))
    with pytest.raises(ValueError, match="non-negative"):
        keras.ops.pad(x, [(0, -1), (0, 0)])
    with pytest.raises(ValueError, match="mode must be one of"):
        keras.ops.pad(x, 1, mode="symmetric")
