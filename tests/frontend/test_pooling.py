"""Pooling layers against numpy references written here with Keras's (TensorFlow's) semantics.

Each case builds a layer from Keras-style kwargs and checks: output shapes (compute_output_shape
and a symbolic call, None batch), the config round trip, eager outputs against numpy in both data
formats, one SGD step of a Dense layer in front of it against finite differences of the numpy
loss (so the gradient through the pooling is checked), and the exported ONNX file against
predict(). Then masks, the aliases and the errors.
"""

from dataclasses import dataclass

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from gradcheck import central_differences

import horn as keras
from horn import layers
from horn.frontend import programs

RNG = np.random.default_rng(7)


# -- numpy references (channels_last; TensorFlow semantics) -----------------------------------
def _tuple(v, r):
    return (v,) * r if isinstance(v, int) else tuple(v)


def np_pool(x, kind, pool_size, strides=None, padding="valid"):
    """TensorFlow's pooling on (N, *spatial, C): 'same' gives ceil(n / s) windows with the odd
    pad at the end; padded cells never win a max and are not counted in an average."""
    r = x.ndim - 2
    k = _tuple(pool_size, r)
    s = k if strides is None else _tuple(strides, r)
    out, before = [], []
    for n, kk, ss in zip(x.shape[1:-1], k, s):
        if padding == "valid":
            out.append((n - kk) // ss + 1)
            before.append(0)
        else:
            o = -(-n // ss)
            out.append(o)
            before.append(max((o - 1) * ss + kk - n, 0) // 2)
    y = np.zeros((x.shape[0], *out, x.shape[-1]))
    for pos in np.ndindex(*out):
        lo = [p * ss - b for p, ss, b in zip(pos, s, before)]
        window = tuple(slice(max(a, 0), min(a + kk, n)) for a, kk, n in zip(lo, k, x.shape[1:-1]))
        cells = x[(slice(None),) + window + (slice(None),)].reshape(x.shape[0], -1, x.shape[-1])
        y[(slice(None),) + pos] = cells.max(axis=1) if kind == "max" else cells.mean(axis=1)
    return y


def reference(layer, x):
    first = layer.data_format == "channels_first"
    if first:
        x = np.moveaxis(x, 1, -1)
    if isinstance(layer, layers.GlobalMaxPooling2D.__mro__[1]):  # BaseGlobalPooling
        axes = tuple(range(1, x.ndim - 1))
        y = x.max(axis=axes, keepdims=True) if "Max" in type(layer).__name__ else x.mean(axis=axes, keepdims=True)
        if not layer.keepdims:
            return y.reshape(len(x), -1)
    else:
        kind = "max" if "Max" in type(layer).__name__ else "average"
        y = np_pool(x, kind, layer.pool_size, layer.strides, layer.padding)
    return np.moveaxis(y, -1, 1) if first else y


# -- cases ------------------------------------------------------------------------------------
@dataclass
class Case:
    cls: type
    kwargs: dict
    input_shape: tuple
    output_shape: tuple


CASES = [
    Case(layers.MaxPooling1D, {}, (7, 3), (3, 3)),
    Case(layers.MaxPooling1D, dict(pool_size=3, strides=2, padding="same"), (8, 2), (4, 2)),
    Case(layers.MaxPooling1D, dict(pool_size=2, data_format="channels_first"), (3, 9), (3, 4)),
    Case(layers.AveragePooling1D, dict(pool_size=3, strides=1), (6, 2), (4, 2)),
    Case(layers.AveragePooling1D, dict(pool_size=4, strides=3, padding="same"), (7, 2), (3, 2)),
    Case(layers.MaxPooling2D, {}, (6, 7, 3), (3, 3, 3)),
    Case(layers.MaxPooling2D, dict(pool_size=(3, 2), strides=(2, 1), padding="same"), (7, 5, 2), (4, 5, 2)),
    Case(layers.MaxPooling2D, dict(pool_size=3, strides=2, data_format="channels_first"), (2, 7, 8), (2, 3, 3)),
    Case(layers.MaxPooling2D, dict(pool_size=2, padding="same", data_format="channels_first"), (3, 5, 5), (3, 3, 3)),
    Case(layers.AveragePooling2D, {}, (5, 7, 2), (2, 3, 2)),
    Case(layers.AveragePooling2D, dict(pool_size=3, strides=2, padding="same"), (7, 6, 2), (4, 3, 2)),
    Case(layers.AveragePooling2D, dict(pool_size=(2, 3), strides=1, data_format="channels_first"), (2, 4, 5),
         (2, 3, 3)),
    Case(layers.MaxPooling3D, {}, (4, 5, 4, 2), (2, 2, 2, 2)),
    Case(layers.MaxPooling3D, dict(pool_size=(2, 3, 2), strides=(1, 2, 2), padding="same"), (3, 5, 4, 2),
         (3, 3, 2, 2)),
    Case(layers.AveragePooling3D, dict(pool_size=2, strides=(2, 1, 2), data_format="channels_first"),
         (2, 4, 3, 5), (2, 2, 2, 2)),
    Case(layers.AveragePooling3D, dict(pool_size=3, strides=2, padding="same"), (5, 4, 3, 2), (3, 2, 2, 2)),
    Case(layers.GlobalMaxPooling1D, {}, (5, 3), (3,)),
    Case(layers.GlobalAveragePooling1D, dict(data_format="channels_first"), (3, 5), (3,)),
    Case(layers.GlobalMaxPooling2D, dict(keepdims=True), (4, 5, 3), (1, 1, 3)),
    Case(layers.GlobalAveragePooling2D, {}, (4, 5, 3), (3,)),
    Case(layers.GlobalMaxPooling3D, dict(data_format="channels_first"), (2, 3, 4, 3), (2,)),
    Case(layers.GlobalAveragePooling3D, dict(keepdims=True, data_format="channels_first"), (2, 3, 4, 3),
         (2, 1, 1, 1)),
]
IDS = [f"{c.cls.__name__}-{'-'.join(f'{k}={v}' for k, v in c.kwargs.items()) or 'defaults'}" for c in CASES]


def _data(case, batch=3):
    # A shuffled grid: no two values tie, so the maximum of every window is unique.
    n = batch * int(np.prod(case.input_shape))
    return (RNG.permutation(n) / n - 0.5).reshape(batch, *case.input_shape).astype(np.float32)


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
    if "pool_size" in config:
        r = len(case.input_shape) - 1
        assert config["pool_size"] == _tuple(case.kwargs.get("pool_size", 2), r)
        assert config["strides"] == _tuple(case.kwargs.get("strides", case.kwargs.get("pool_size", 2)), r)
        assert config["padding"] == case.kwargs.get("padding", "valid")
    assert config["data_format"] == case.kwargs.get("data_format", "channels_last")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eager_matches_numpy(case):
    layer = case.cls(**case.kwargs)
    x = _data(case)
    y = layer(x)
    assert y.shape == (len(x), *case.output_shape)
    np.testing.assert_allclose(y, reference(layer, x.astype(np.float64)), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sgd_step_follows_finite_differences(case):
    """Dense (on the last axis) -> pooling -> Flatten, mse, one SGD step with lr 1: the Dense
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


# -- ties, masks, graphs ----------------------------------------------------------------------
def test_max_pooling_gradient_on_ties_goes_to_one_element_per_window():
    """A ReLU output full of zeros: each window's gradient reaches exactly one input, as in
    Keras on TensorFlow; checked through the gradient of the input (a trainable offset)."""

    class Offset(layers.Layer):
        def build(self, input_shape):
            self.offset = self.add_weight(name="offset", shape=tuple(input_shape[1:]), initializer="zeros")

        def call(self, inputs):
            return keras.ops.add(inputs, self.offset)

    offset = Offset()
    model = keras.Sequential([keras.Input(shape=(4, 6, 1)), offset, layers.MaxPooling2D(2), layers.Flatten()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    x = np.zeros((1, 4, 6, 1), np.float32)
    x[0, 0, 4, 0] = x[0, 1, 5, 0] = 3.0  # a window with a tied maximum; the other windows all zero
    t = np.full((1, 6), -1.0, np.float32)
    model.train_on_batch(x, t)
    step = -offset.get_weights()[0][..., 0]  # = d loss / d input = 2 (y - t) / 6 at the winners
    y = np.array([[0, 0, 3], [0, 0, 0]], np.float64).reshape(-1)
    want = np.zeros((4, 6))
    for (i, j), g in zip([(0, 0), (0, 2), (0, 4), (2, 0), (2, 2), (2, 4)], 2 * (y + 1) / 6):
        want[i, j] = g  # the first cell of each window (row-major) holds its first maximum
    np.testing.assert_allclose(step, want, rtol=1e-6, atol=1e-7)


def test_global_average_pooling_1d_averages_unmasked_steps():
    tokens = np.array([[3, 1, 0, 0], [2, 0, 5, 0], [4, 4, 4, 4]])
    keras.config.set_random_seed(1)
    inputs = keras.Input(shape=(4,), dtype="int64")
    emb = layers.Embedding(8, 3, mask_zero=True)
    pooled = layers.GlobalAveragePooling1D()(emb(inputs))
    model = keras.Model(inputs, pooled)
    table = emb.get_weights()[0].astype(np.float64)
    vectors, keep = table[tokens], (tokens != 0)[..., None]
    want = (vectors * keep).sum(axis=1) / keep.sum(axis=1)
    np.testing.assert_allclose(model.predict(tokens, verbose=0), want, rtol=1e-6)
    assert not np.allclose(want, vectors.mean(axis=1))  # the mask matters


@pytest.mark.parametrize("data_format, keepdims", [("channels_last", False), ("channels_first", True)])
def test_global_average_pooling_1d_with_an_explicit_mask(data_format, keepdims):
    layer = layers.GlobalAveragePooling1D(data_format=data_format, keepdims=keepdims)
    x = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)
    steps = 1
    if data_format == "channels_first":
        x, steps = np.ascontiguousarray(np.moveaxis(x, 1, 2)), 2
    w = np.expand_dims(mask, 2 if data_format == "channels_last" else 1).astype(np.float64)
    want = (x * w).sum(axis=steps, keepdims=keepdims) / w.sum(axis=steps, keepdims=keepdims)
    np.testing.assert_allclose(layer(x, mask=mask), want, rtol=1e-5, atol=1e-6)
    assert layer.compute_mask(x, mask) is None


def _exported_ops(model, tmp_path):
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    return [n.op_type for n in onnx.load(path).graph.node]


def test_channels_last_conv_pool_stack_stays_channels_first(tmp_path):
    """Between channels_last Conv2D and MaxPooling2D the NHWC <-> NCHW transposes cancel."""
    model = keras.Sequential([keras.Input(shape=(8, 8, 3)), layers.Conv2D(4, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Conv2D(4, 3, padding="same"),
                              layers.AveragePooling2D(), layers.GlobalMaxPooling2D()])
    ops = _exported_ops(model, tmp_path)
    assert ops.count("Transpose") <= 2, ops
    assert ops.count("MaxPool") == ops.count("AveragePool") == 1


def test_a_small_cnn_with_pooling_learns():
    """Is there a bright 2x2 spot somewhere in the noise? Max pooling finds it wherever it is."""
    keras.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(0, 0.3, (128, 8, 8, 1)).astype(np.float32)
    y = (rng.random(128) < 0.5).astype(np.float32)
    for i in np.flatnonzero(y):
        r, c = rng.integers(0, 7, 2)
        x[i, r:r + 2, c:c + 2] += 2.0
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, padding="same", activation="relu"),
                              layers.MaxPooling2D(), layers.AveragePooling2D(), layers.GlobalMaxPooling2D(),
                              layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.95


def test_aliases():
    assert layers.MaxPool1D is layers.MaxPooling1D and layers.MaxPool2D is layers.MaxPooling2D
    assert layers.MaxPool3D is layers.MaxPooling3D and layers.AvgPool2D is layers.AveragePooling2D
    assert layers.AvgPool1D is layers.AveragePooling1D and layers.AvgPool3D is layers.AveragePooling3D
    assert layers.GlobalMaxPool2D is layers.GlobalMaxPooling2D
    assert layers.GlobalAvgPool1D is layers.GlobalAveragePooling1D
    assert layers.GlobalAvgPool3D is layers.GlobalAveragePooling3D
    assert keras.layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D


def test_default_names():
    assert layers.MaxPooling2D().name.startswith("max_pooling2d")
    assert layers.GlobalAveragePooling1D().name.startswith("global_average_pooling1d")


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, input_shape, match", [
    (lambda: layers.MaxPooling2D(3, name="pool"), (2, 5, 1),
     r"Layer 'pool' \(MaxPooling2D\) cannot pool spatial axis 0 of size 2 with pool_size 3 .*\(None, 2, 5, 1\)"),
    (lambda: layers.AveragePooling1D(4, name="avg"), (3, 2), r"Layer 'avg' .*size 3 with pool_size 4"),
    (lambda: layers.MaxPooling3D((1, 1, 5), data_format="channels_first", name="p3"), (2, 4, 4, 4),
     r"Layer 'p3' .*spatial axis 2 of size 4"),
])
def test_pool_larger_than_the_input_with_valid_padding(make, input_shape, match):
    with pytest.raises(ValueError, match=match):
        make()(keras.Input(shape=input_shape))


def test_same_padding_takes_a_pool_larger_than_the_input():
    layer = layers.MaxPooling2D(3, padding="same")
    x = _data(Case(None, {}, (2, 2, 1), ()))
    np.testing.assert_allclose(layer(x), x.max(axis=(1, 2), keepdims=True))


@pytest.mark.parametrize("make, match", [
    (lambda: layers.MaxPooling2D(pool_size=(2, -1)), "`pool_size` must be > 0"),
    (lambda: layers.MaxPooling2D(pool_size=0), "`pool_size` must be > 0"),
    (lambda: layers.AveragePooling1D(strides=0), "`strides` must be > 0"),
    (lambda: layers.MaxPooling3D(pool_size=(2, 2)), "`pool_size` must be an integer or a tuple of 3"),
    (lambda: layers.AveragePooling2D(padding="full"), "`padding` must be one of 'valid', 'same'"),
    (lambda: layers.MaxPooling1D(padding="causal"), "`padding` must be one of 'valid', 'same'"),
    (lambda: layers.MaxPooling2D(data_format="NHWC"), "data_format must be"),
    (lambda: layers.GlobalMaxPooling2D(data_format="nhwc"), "data_format must be"),
])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make", [layers.MaxPooling2D, layers.GlobalAveragePooling3D])
def test_input_of_the_wrong_rank_names_the_layer(make):
    layer = make(name="which")
    with pytest.raises(ValueError, match=r"layer 'which'.*expected ndim=\d, found ndim=3"):
        layer(keras.Input(shape=(4, 4)))


def test_training_programs_for_cuda_have_no_max_unpool(monkeypatch):
    """onnxruntime's CUDA EP has no MaxUnpool kernel: the pooling gradient scatters there."""
    model = keras.Sequential([keras.Input((4, 4, 2)), keras.layers.Conv2D(2, 1), keras.layers.MaxPooling2D(2),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    state = model._training_state()
    graph, _ = programs.train_graph(model, [((None, 4, 4, 2), np.float32)], [((None, 1), np.float32)], state)
    assert "MaxUnpool" in {n.op_type for n in programs.compile_graph(graph).graph.node}  # on the CPU
    monkeypatch.setattr(programs.dev, "device", lambda: "cuda")
    kinds = {n.op_type for n in programs.compile_graph(graph).graph.node}
    assert "MaxPool" in kinds and "MaxUnpool" not in kinds and "ScatterND" in kinds
