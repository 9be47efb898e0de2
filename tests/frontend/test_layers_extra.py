"""Permute, ActivityRegularization, GaussianNoise, GaussianDropout, AlphaDropout, ThresholdedReLU,
Identity, Rescaling and UnitNormalization: numpy references, shapes with a dynamic batch, configs,
training steps, noise statistics, exports, a model saved by real Keras 3, and argument errors."""

import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import horn as keras
from horn import layers
from horn.compiler import Graph, op, optimize, to_onnx
from horn.frontend.saving.serialization import layer_class
from horn.runtime import Program

DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_extra_layers")
SELU_ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


def _unit_norm(x, axis):
    return x / np.maximum(np.sqrt(np.sum(x * x, axis=axis, keepdims=True)), 1e-12)


# (id, factory, input shape without batch, numpy reference of the output)
DETERMINISTIC = [
    ("Permute-21", lambda: layers.Permute((2, 1)), (5, 6), lambda x: x.transpose(0, 2, 1)),
    ("Permute-312", lambda: layers.Permute((3, 1, 2)), (3, 4, 5), lambda x: x.transpose(0, 3, 1, 2)),
    ("Permute-1", lambda: layers.Permute((1,)), (7,), lambda x: x),
    ("Identity", lambda: layers.Identity(), (3, 4), lambda x: x),
    ("Rescaling-scalar", lambda: layers.Rescaling(1 / 255.0, offset=-0.5), (4, 3),
     lambda x: x * np.float32(1 / 255) - 0.5),
    ("Rescaling-lists", lambda: layers.Rescaling([1.0, -2.0, 0.5], offset=[0.1, 0.2, 0.3]), (4, 3),
     lambda x: x * np.float32([1, -2, 0.5]) + np.float32([0.1, 0.2, 0.3])),
    ("Rescaling-array", lambda: layers.Rescaling(np.arange(3, dtype=np.float32), offset=np.float32(2)), (2, 3),
     lambda x: x * np.arange(3, dtype=np.float32) + 2),
    ("UnitNormalization", lambda: layers.UnitNormalization(), (3, 5), lambda x: _unit_norm(x, -1)),
    ("UnitNormalization-axes-1-2", lambda: layers.UnitNormalization(axis=[1, 2]), (3, 5),
     lambda x: _unit_norm(x, (1, 2))),
    ("UnitNormalization-axis-1", lambda: layers.UnitNormalization(axis=1), (4, 2, 3), lambda x: _unit_norm(x, 1)),
    ("ThresholdedReLU", lambda: layers.ThresholdedReLU(), (6,), lambda x: x * (x > 1.0)),
    ("ThresholdedReLU-0.3", lambda: layers.ThresholdedReLU(theta=0.3), (2, 6), lambda x: x * (x > 0.3)),
    ("ActivityRegularization", lambda: layers.ActivityRegularization(l1=0.1, l2=0.2), (4,), lambda x: x),
    ("GaussianNoise-inference", lambda: layers.GaussianNoise(0.5), (3, 4), lambda x: x),
    ("GaussianDropout-inference", lambda: layers.GaussianDropout(0.3), (3, 4), lambda x: x),
    ("AlphaDropout-inference", lambda: layers.AlphaDropout(0.2, noise_shape=(None, 1, 4)), (3, 4), lambda x: x),
]
IDS = [c[0] for c in DETERMINISTIC]


def _x(shape, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * 2
    x.reshape(-1)[:3] = 0.0  # zeros: UnitNormalization's bound, ThresholdedReLU's x <= theta
    return x


@pytest.mark.parametrize("name, make, shape, reference", DETERMINISTIC, ids=IDS)
def test_eager_output_matches_numpy(name, make, shape, reference):
    x = _x((3, *shape))
    np.testing.assert_allclose(make()(x), reference(x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, make, shape, reference", DETERMINISTIC, ids=IDS)
def test_shapes_with_a_dynamic_batch_and_predict(name, make, shape, reference):
    layer = make()
    out = layer(keras.Input(shape=shape))
    expected = reference(np.zeros((1, *shape), np.float32)).shape[1:]
    assert tuple(out.shape) == (None, *expected)
    assert tuple(layer.compute_output_shape((None, *shape))) == (None, *expected)
    model = keras.Sequential([keras.Input(shape=shape), make()])
    for n in (2, 5):  # one program, any batch size
        x = _x((n, *shape), seed=n)
        np.testing.assert_allclose(model.predict(x, verbose=0), reference(x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, make, shape, reference", DETERMINISTIC, ids=IDS)
def test_config_round_trip_and_lookup_by_name(name, make, shape, reference):
    layer = make()
    config = layer.get_config()
    cls = layer_class(type(layer).__name__)  # how saved models find the class
    assert cls is type(layer) and getattr(keras.layers, cls.__name__) is cls
    clone = cls.from_config(config)
    assert clone.get_config() == config
    x = _x((2, *shape))
    np.testing.assert_array_equal(clone(x), layer(x))


def test_configs_hold_keras_arguments():
    assert layers.Permute([3, 1, 2]).get_config()["dims"] == (3, 1, 2)
    assert layers.ThresholdedReLU().get_config()["theta"] == 1.0
    assert layers.UnitNormalization().get_config()["axis"] == -1
    assert layers.UnitNormalization(axis=(1, 2)).get_config()["axis"] == [1, 2]
    config = layers.Rescaling(np.float32([1, 2]), offset=3).get_config()
    assert config["scale"] == [1.0, 2.0] and config["offset"] == 3.0
    config = layers.ActivityRegularization(l2=0.5).get_config()
    assert (config["l1"], config["l2"]) == (0.0, 0.5) and "activity_regularizer" not in config
    assert {k: v for k, v in layers.GaussianNoise(0.1).get_config().items() if k in ("stddev", "seed")} == \
        {"stddev": 0.1, "seed": None}
    assert layers.GaussianDropout(0.25, seed=4).get_config()["seed"] == 4
    config = layers.AlphaDropout(0.1, noise_shape=[None, 1, 3]).get_config()
    assert (config["rate"], config["noise_shape"], config["seed"]) == (0.1, (None, 1, 3), None)


def test_rescaling_reads_keras3_serialized_arrays_and_casts_integer_inputs():
    layer = layers.Rescaling.from_config({"name": "r", "scale": {"class_name": "__numpy__", "config": {
        "value": [0.0, 1.0, 2.0], "dtype": "float32"}}, "offset": 2.0})
    pixels = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    out = layer(pixels)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, pixels.astype(np.float32) * np.float32([0, 1, 2]) + 2)


def test_rescaling_scale_per_channel_when_channels_first():
    keras.config.set_image_data_format("channels_first")
    try:
        x = _x((2, 3, 4, 5))
        out = layers.Rescaling([1.0, 2.0, 3.0])(x)
    finally:
        keras.config.set_image_data_format("channels_last")
    np.testing.assert_allclose(out, x * np.float32([1, 2, 3]).reshape(3, 1, 1), rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: layers.Rescaling(2.0, offset=1.0), lambda: layers.UnitNormalization(), lambda: layers.Identity(),
    lambda: layers.ThresholdedReLU(0.5), lambda: layers.ActivityRegularization(0.01),
    lambda: layers.GaussianNoise(0.3), lambda: layers.GaussianDropout(0.3), lambda: layers.AlphaDropout(0.3),
], ids=["Rescaling", "UnitNormalization", "Identity", "ThresholdedReLU", "ActivityRegularization",
        "GaussianNoise", "GaussianDropout", "AlphaDropout"])
def test_masks_pass_through(make):
    """Masking -> layer -> GlobalAveragePooling1D: the mean over unmasked steps only."""
    x = np.random.default_rng(4).uniform(1, 2, (2, 5, 3)).astype(np.float32)
    x[0, 3:] = 0.0  # masked steps of sample 0
    inp = keras.Input(shape=(5, 3))
    model = keras.Model(inp, layers.GlobalAveragePooling1D()(make()(layers.Masking(0.0)(inp))))
    reference = keras.Model(inp, make()(inp)).predict(x, verbose=0)
    expected = np.stack([reference[0, :3].mean(0), reference[1].mean(0)])
    assert not np.allclose(expected[0], reference[0].mean(0), atol=1e-3)  # the mask matters
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_permute_does_not_pass_masks_as_in_keras3():
    assert not layers.Permute((2, 1)).supports_masking
    mask = np.ones((2, 3), bool)
    assert layers.Permute((2, 1)).compute_mask(None, mask) is None


# -- a training step through the deterministic layers, against finite differences in numpy ----------
def _forward(x, t, w1, b1, w2, b2):
    """The test model in numpy (float64): returns the loss fit() minimizes."""
    h = (x * np.array([0.5, 2.0, -1.0]) + 0.1) @ w1 + b1            # Rescaling, Dense(6): (N, 4, 6)
    h = _unit_norm(h.transpose(0, 2, 1), -1)                         # Permute((2, 1)), UnitNormalization
    h = h * (h > 0.05)                                               # ThresholdedReLU(0.05)
    activity = (0.01 * np.abs(h).sum() + 0.02 * (h * h).sum()) / len(x)  # ActivityRegularization
    y = h.reshape(len(x), -1) @ w2 + b2                              # Identity, Flatten, Dense(2)
    return np.mean((y - t) ** 2) + activity


def _training_model():
    inp = keras.Input(shape=(4, 3))
    h = layers.Dense(6, name="d1")(layers.Rescaling([0.5, 2.0, -1.0], offset=0.1)(inp))
    h = layers.ThresholdedReLU(0.05)(layers.UnitNormalization()(layers.Permute((2, 1))(h)))
    h = layers.Identity()(layers.ActivityRegularization(l1=0.01, l2=0.02)(h))
    return keras.Model(inp, layers.Dense(2, name="d2")(layers.Flatten()(h)))


def test_training_step_matches_numpy_finite_differences():
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((5, 4, 3)).astype(np.float32), rng.standard_normal((5, 2)).astype(np.float32)
    weights = [rng.standard_normal(s).astype(np.float32) * 0.5 for s in [(3, 6), (6,), (24, 2), (2,)]]
    model = _training_model()
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    loss = model.train_on_batch(x, t)
    params = [w.astype(np.float64) for w in weights]
    expected_loss = _forward(x.astype(np.float64), t, *params)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
    for i, p in enumerate(params):  # central differences, one entry at a time
        grad = np.zeros_like(p)
        for j in np.ndindex(p.shape):
            up, down = [q.copy() for q in params], [q.copy() for q in params]
            up[i][j] += 1e-6
            down[i][j] -= 1e-6
            grad[j] = (_forward(x, t, *up) - _forward(x, t, *down)) / 2e-6
        np.testing.assert_allclose(model.get_weights()[i], p - 0.1 * grad, rtol=1e-4, atol=2e-6)


def test_activity_loss_value_matches_keras():
    """Keras 3.15 (jax) evaluate()d this model with y == x and mse (so only the activity term
    remains) on /tmp/layer_review's input: l1 * sum|x| + l2 * sum x^2, divided by the batch size."""
    x = _x((4, 5, 6))
    inp = keras.Input(shape=(5, 6))
    model = keras.Model(inp, layers.ActivityRegularization(0.01, 0.02)(inp))
    model.compile(optimizer="sgd", loss="mse")
    expected = (0.01 * np.abs(x).sum() + 0.02 * np.square(x).sum()) / 4
    np.testing.assert_allclose(model.evaluate(x, x, verbose=0, batch_size=4), expected, rtol=1e-6)
    np.testing.assert_allclose(model.train_on_batch(x, x), expected, rtol=1e-6)


# -- noise layers: training statistics, gradients, exports ----------------------------------------
N = (400, 1000)  # 400k draws: standard errors around 1e-3


def test_gaussian_noise_adds_zero_mean_noise_of_stddev():
    x = np.random.default_rng(0).uniform(-1, 1, N).astype(np.float32)
    layer = layers.GaussianNoise(0.5)
    noise = layer(x, training=True) - x
    assert abs(noise.mean()) < 5e-3 and abs(noise.std() - 0.5) < 3e-3
    assert abs(np.mean(np.abs(noise) < 0.5) - 0.6827) < 5e-3  # normal, not uniform
    assert not np.array_equal(layer(x, training=True) - x, noise)  # new noise every call


def test_gaussian_dropout_multiplies_by_noise_of_mean_one():
    x = np.ones(N, np.float32) * 3
    factor = layers.GaussianDropout(0.3)(x, training=True) / x
    assert abs(factor.mean() - 1) < 5e-3 and abs(factor.std() - np.sqrt(0.3 / 0.7)) < 4e-3


def test_alpha_dropout_keeps_mean_and_variance_and_uses_selu_saturation():
    rate = 0.2
    x = np.random.default_rng(1).standard_normal(N).astype(np.float32)
    y = layers.AlphaDropout(rate)(x, training=True)
    a = ((1 - rate) * (1 + rate * SELU_ALPHA_P**2)) ** -0.5
    b = -a * SELU_ALPHA_P * rate
    dropped = np.isclose(y, a * SELU_ALPHA_P + b, rtol=0, atol=1e-6)
    assert abs(dropped.mean() - rate) < 4e-3
    kept = ~dropped & ~np.isclose(x, SELU_ALPHA_P, atol=1e-3)  # a kept x near alpha' looks dropped
    np.testing.assert_allclose(y[kept], a * x[kept] + b, rtol=1e-5, atol=1e-6)
    assert kept.sum() + dropped.sum() > x.size - 100
    assert abs(y.mean()) < 6e-3 and abs(y.std() - 1) < 6e-3  # self-normalizing: N(0, 1) stays N(0, 1)


def test_alpha_dropout_noise_shape_shares_the_mask():
    x = np.random.default_rng(2).uniform(1, 2, (64, 5, 8)).astype(np.float32)
    y = layers.AlphaDropout(0.5, noise_shape=(None, 1, 8))(x, training=True)
    a = (0.5 * (1 + 0.5 * SELU_ALPHA_P**2)) ** -0.5
    dropped = np.isclose(y, a * SELU_ALPHA_P - a * SELU_ALPHA_P * 0.5, atol=1e-6)
    np.testing.assert_array_equal(dropped.min(axis=1), dropped.max(axis=1))  # same along the steps
    assert 0.4 < dropped.mean() < 0.6


@pytest.mark.parametrize("make", [lambda: layers.GaussianNoise(0.2), lambda: layers.GaussianDropout(0.2),
                                  lambda: layers.AlphaDropout(0.1)],
                         ids=["GaussianNoise", "GaussianDropout", "AlphaDropout"])
def test_noise_model_learns_predicts_clean_and_exports_without_noise(make, tmp_path):
    """Gradients flow through the noise (the model still fits a linear map); predict, evaluate and
    the exported file see no noise, and the file has no random ops."""
    keras.config.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 4)).astype(np.float32)
    t = x @ np.float32([[1.0], [-2.0], [0.5], [3.0]])
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(8), make(), layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    before = model.evaluate(x, t, verbose=0)
    history = model.fit(x, t, epochs=40, batch_size=64, verbose=0)
    after = model.evaluate(x, t, verbose=0)
    assert after < 0.05 * before and history.history["loss"][-1] < history.history["loss"][0]
    w1, b1, w2, b2 = model.get_weights()
    clean = (x @ w1 + b1) @ w2 + b2  # the noise layer is the identity outside training
    predicted = model.predict(x, verbose=0)
    np.testing.assert_allclose(predicted, clean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(after, np.mean((clean - t) ** 2), rtol=1e-4)
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    assert not {"RandomNormalLike", "RandomUniformLike", "Dropout"} & {n.op_type for n in onnx.load(path).graph.node}
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    np.testing.assert_array_equal(session.run(None, {session.get_inputs()[0].name: x})[0], predicted)


@pytest.mark.parametrize("make", [lambda: layers.GaussianNoise(1.0), lambda: layers.GaussianDropout(0.5)],
                         ids=["GaussianNoise", "GaussianDropout"])
def test_fit_sees_the_noise_and_evaluate_does_not(make):
    """Identity weights then noise of variance 1 (x == 1 for GaussianDropout's factor): the
    training loss mse(noisy x, x) is the noise variance, 1; evaluate's is 0."""
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(4), make()])
    model.set_weights([np.eye(4, dtype=np.float32), np.zeros(4, np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    x = np.ones((4000, 4), np.float32)
    assert abs(model.train_on_batch(x, x) - 1.0) < 0.06
    assert model.evaluate(x, x, verbose=0) == 0.0


def test_noise_layers_with_a_dynamic_batch_in_training():
    class Probe(layers.Layer):  # runs the wrapped layer in training mode inside a compiled model
        def __init__(self, inner, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner

        def call(self, inputs):
            return self.inner(inputs, training=True)

    for inner in (layers.GaussianNoise(1.0), layers.GaussianDropout(0.5), layers.AlphaDropout(0.5)):
        model = keras.Sequential([keras.Input(shape=(3, 2)), Probe(inner)])
        for n in (3, 500):
            x = np.ones((n, 3, 2), np.float32)
            y = model.predict(x, verbose=0)
            assert y.shape == x.shape and np.std(y) > 0.3


def test_exports_of_deterministic_layers_equal_predict(tmp_path):
    inp = keras.Input(shape=(4, 3))
    h = layers.Rescaling([0.5, 2.0, -1.0], offset=0.1)(inp)
    h = layers.UnitNormalization(axis=[1, 2])(layers.Permute((2, 1))(layers.Dense(6)(h)))
    h = layers.Identity()(layers.ActivityRegularization(0.1)(layers.ThresholdedReLU(0.1)(h)))
    h = layers.AlphaDropout(0.1)(layers.GaussianDropout(0.1)(layers.GaussianNoise(0.1)(h)))
    model = keras.Model(inp, h)
    x = _x((7, 4, 3))
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0],
                               model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)


# -- ops.normal_like (RandomNormalLike) ----------------------------------------------------------
def test_normal_like_statistics_dtype_and_seeding():
    x = np.zeros(N, np.float32)
    draws = keras.ops.normal_like(x, mean=2.0, stddev=0.5)
    assert draws.dtype == np.float32 and draws.shape == N
    assert abs(draws.mean() - 2) < 3e-3 and abs(draws.std() - 0.5) < 3e-3
    assert keras.ops.normal_like(x[:3], dtype="float64").dtype == np.float64

    def draw_twice():
        keras.config.set_random_seed(9)
        layer = layers.GaussianNoise(1.0)
        return [layer(x[:4], training=True) for _ in range(2)]

    a, b = draw_twice(), draw_twice()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], a[1])


def test_normal_like_with_stddev_zero_is_the_mean_and_the_op_rejects_scale_zero():
    """onnxruntime's RandomNormalLike kernel aborts the whole process on scale 0: normal_like
    fills in the mean instead, and the op's shape rule refuses scale 0 while tracing."""
    x = np.zeros((3, 4), np.float32)
    np.testing.assert_array_equal(keras.ops.normal_like(x, mean=1.5, stddev=0.0), np.full((3, 4), 1.5, np.float32))
    np.testing.assert_array_equal(layers.GaussianNoise(0.0)(x, training=True), x)
    g = Graph("normal")
    v = g.input((None, 4), np.float32, "x")
    with g.building(), pytest.raises(ValueError, match=r"RandomNormalLike needs scale .* > 0, got scale=0.0"):
        op.RandomNormalLike(v, scale=0.0)


def test_random_normal_like_is_never_folded_or_merged():
    g = Graph("normal")
    with g.building():
        c = g.constant(np.zeros((4, 4), np.float32))
        y = op.Sub(op.RandomNormalLike(c), op.RandomNormalLike(c))
    g.outputs = [y]
    g = optimize(g)
    assert [n.op_type for n in g.nodes()].count("RandomNormalLike") == 2
    (d,) = Program(to_onnx(g).SerializeToString())()
    assert np.abs(d).max() > 0.1


# -- a model saved by real Keras 3 ---------------------------------------------------------------
@pytest.mark.parametrize("filename", ["extra.keras", "extra.h5"])
def test_keras3_saved_model_loads_and_predicts_what_keras_did(filename):
    data = np.load(os.path.join(DATA, "extra.npz"))
    model = keras.models.load_model(os.path.join(DATA, filename))
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds[1:10] == ["Rescaling", "Permute", "GaussianNoise", "Dense", "UnitNormalization", "Identity",
                           "ActivityRegularization", "GaussianDropout", "AlphaDropout"]
    assert model.layers[1].scale == [0.5, 1.0, 2.0, -1.0] and model.layers[2].dims == (2, 1)
    assert model.layers[3].seed == 3 and model.layers[9].noise_shape == (None, 1, 5)
    np.testing.assert_allclose(model.predict(data["x0"], verbose=0), data["y0"], rtol=1e-5, atol=1e-6)


# -- argument errors --------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.Permute((1, 1)), ValueError, r"Permute\(dims=...\) must be a permutation of 1\.\.2.*dims=\(1, 1\)"),
    (lambda: layers.Permute((0, 1)), ValueError, r"Permute\(dims=...\) must be a permutation of 1\.\.2"),
    (lambda: layers.Permute(2), TypeError, r"Permute\(dims=...\) must be a tuple"),
    (lambda: layers.Permute((1.5, 2)), TypeError, r"Permute\(dims=...\) must hold integers"),
    (lambda: layers.GaussianDropout(rate=1.5), ValueError,
     r"GaussianDropout\(rate=...\) must be in \[0, 1\), got rate=1.5"),
    (lambda: layers.GaussianDropout(rate=1.0), ValueError, r"GaussianDropout\(rate=...\) must be in \[0, 1\)"),
    (lambda: layers.AlphaDropout(-0.1), ValueError, r"AlphaDropout\(rate=...\) must be in \[0, 1\)"),
    (lambda: layers.AlphaDropout("0.1"), TypeError, r"AlphaDropout\(rate=...\) must be a number"),
    (lambda: layers.GaussianNoise(-0.5), ValueError, r"GaussianNoise\(stddev=...\) must be >= 0, got stddev=-0.5"),
    (lambda: layers.GaussianNoise(None), TypeError, r"GaussianNoise\(stddev=...\) must be a number"),
    (lambda: layers.ThresholdedReLU(-1), ValueError, r"ThresholdedReLU\(theta=...\) must be >= 0"),
    (lambda: layers.UnitNormalization(axis="x"), TypeError, r"UnitNormalization\(axis=...\) must be an int"),
    (lambda: layers.Rescaling("half"), TypeError, r"Rescaling\(scale=...\) must be a number"),
    (lambda: layers.Rescaling(1.0, offset=[]), TypeError, r"Rescaling\(offset=...\) must be a number"),
    (lambda: layers.ActivityRegularization(l1=-0.1), ValueError, r"ActivityRegularization\(l1=...\) must be >= 0"),
], ids=["Permute-repeat", "Permute-zero", "Permute-int", "Permute-float", "GaussianDropout-1.5",
        "GaussianDropout-1", "AlphaDropout-negative", "AlphaDropout-str", "GaussianNoise-negative",
        "GaussianNoise-None", "ThresholdedReLU-negative", "UnitNormalization-str", "Rescaling-str",
        "Rescaling-empty", "ActivityRegularization-negative"])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_bad_inputs_name_the_layer():
    with pytest.raises(ValueError, match=r"layer 'perm'.*expected ndim=3, found ndim=4"):
        layers.Permute((2, 1), name="perm")(keras.Input(shape=(2, 3, 4)))
    with pytest.raises(ValueError, match=r"Layer 'un'.*axis=2, out of range for its input shape \(None, 3\)"):
        layers.UnitNormalization(axis=2, name="un")(keras.Input(shape=(3,)))
    with pytest.raises(ValueError, match=r"Layer 'ad'.*noise_shape \(None, 2, 3\).*does not broadcast"):
        layers.AlphaDropout(0.5, noise_shape=(None, 2, 3), name="ad")(np.ones((2, 4, 3), np.float32), training=True)
