"""Layer harness for the core layers, and the Layer base API through custom layers.

Each harness case builds a layer from kwargs and checks: the output shape with a None batch
(compute_output_shape and a call on keras.Input), its weights' count, names and shapes, the
config round trip, eager outputs against a numpy reference, and a training step.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pytest

import horn as keras
from horn import layers, ops

RNG = np.random.default_rng(0)
_erf = np.vectorize(math.erf)
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": _softmax,
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "selu": lambda z: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(z)),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "softsign": lambda z: z / (1 + np.abs(z)),
    "linear": lambda z: z,
    "exponential": np.exp,
    "hard_sigmoid": lambda z: np.clip(z / 6 + 0.5, 0, 1),  # Keras 3: relu6(x + 3) / 6
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),  # Keras 3 default negative_slope
    "gelu": lambda z: 0.5 * z * (1 + _erf(z / np.sqrt(2))),  # keras.activations.gelu: exact
    "silu": lambda z: z / (1 + np.exp(-z)),
    # Keras 3's newer ones (keras.activations' docstrings give each formula)
    "mish": lambda z: z * np.tanh(np.log1p(np.exp(z))),
    "celu": lambda z: np.where(z >= 0, z, np.expm1(z)),
    "hard_silu": lambda z: z * np.clip(z / 6 + 0.5, 0, 1),
    "hard_tanh": lambda z: np.clip(z, -1, 1),
    "hard_shrink": lambda z: np.where(np.abs(z) > 0.5, z, 0),
    "soft_shrink": lambda z: np.where(z > 0.5, z - 0.5, np.where(z < -0.5, z + 0.5, 0)),
    "tanh_shrink": lambda z: z - np.tanh(z),
    "log_sigmoid": lambda z: -np.log1p(np.exp(-z)),
    "squareplus": lambda z: (z + np.sqrt(z * z + 4)) / 2,
    "sparse_plus": lambda z: np.where(z <= -1, 0, np.where(z >= 1, z, (z + 1) ** 2 / 4)),
    "sparse_sigmoid": lambda z: np.where(z <= -1, 0, np.where(z >= 1, 1, (z + 1) / 2)),
}


def _dense_ref(activation="linear"):
    def ref(x, weights):
        y = x @ weights[0] + (weights[1] if len(weights) > 1 else 0)
        return ACTIVATIONS[activation](y)
    return ref


@dataclass
class Case:
    id: str
    cls: type
    kwargs: dict
    input_shape: tuple  # without the batch axis
    output_shape: tuple  # without the batch axis
    reference: object  # (x, weights) -> y
    weights: list = field(default_factory=list)  # [(name, shape)], in layer.weights order
    scale: float = 1.0  # input scale (keeps exponential and softplus in a friendly range)


CASES = [
    Case("dense-2d", layers.Dense, {"units": 4}, (5,), (4,), _dense_ref(),
         [("kernel", (5, 4)), ("bias", (4,))]),
    Case("dense-3d", layers.Dense, {"units": 3}, (2, 6), (2, 3), _dense_ref(),
         [("kernel", (6, 3)), ("bias", (3,))]),
    Case("dense-no-bias", layers.Dense, {"units": 2, "use_bias": False}, (5,), (2,), _dense_ref(),
         [("kernel", (5, 2))]),
    *[Case(f"dense-{name}", layers.Dense, {"units": 3, "activation": name}, (4,), (3,), _dense_ref(name),
           [("kernel", (4, 3)), ("bias", (3,))]) for name in ACTIVATIONS],
    Case("activation-tanh", layers.Activation, {"activation": "tanh"}, (3, 4), (3, 4),
         lambda x, w: np.tanh(x)),
    Case("activation-softmax", layers.Activation, {"activation": "softmax"}, (6,), (6,),
         lambda x, w: _softmax(x)),
    Case("dropout", layers.Dropout, {"rate": 0.5}, (7,), (7,), lambda x, w: x),
    Case("flatten", layers.Flatten, {}, (2, 3, 4), (24,), lambda x, w: x.reshape(len(x), -1)),
    Case("reshape", layers.Reshape, {"target_shape": (3, 4)}, (12,), (3, 4),
         lambda x, w: x.reshape(len(x), 3, 4)),
    Case("reshape-minus-one", layers.Reshape, {"target_shape": (-1, 2)}, (3, 4), (6, 2),
         lambda x, w: x.reshape(len(x), 6, 2)),
]
IDS = [c.id for c in CASES]


def _data(case, batch=5):
    return (RNG.standard_normal((batch, *case.input_shape)) * case.scale).astype(np.float32)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compute_output_shape(case):
    layer = case.cls(**case.kwargs)
    assert tuple(layer.compute_output_shape((None, *case.input_shape))) == (None, *case.output_shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_call_shape(case):
    layer = case.cls(**case.kwargs)
    out = layer(keras.Input(shape=case.input_shape))
    assert tuple(out.shape) == (None, *case.output_shape)
    assert tuple(layer.output_shape) == (None, *case.output_shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_weights(case):
    layer = case.cls(**case.kwargs)
    assert layer.weights == [] and not layer.built
    layer(keras.Input(shape=case.input_shape))
    assert layer.built
    assert [(w.name.split("/")[-1], tuple(w.shape)) for w in layer.weights] == case.weights
    assert [tuple(a.shape) for a in layer.get_weights()] == [s for _, s in case.weights]
    assert layer.count_params() == sum(int(np.prod(s)) for _, s in case.weights)
    assert layer.trainable_weights == layer.weights and layer.non_trainable_weights == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trip(case):
    layer = case.cls(**case.kwargs)
    config = layer.get_config()
    for key, value in case.kwargs.items():
        assert config[key] == value, key
    clone = case.cls.from_config(config)
    assert type(clone) is case.cls
    assert clone.get_config() == config


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eager_matches_numpy(case):
    layer = case.cls(**case.kwargs)
    x = _data(case)
    layer(x)  # builds the layer
    weights = [RNG.standard_normal(w.shape).astype(np.float32) * 0.5 for w in layer.weights]
    layer.set_weights(weights)
    y = layer(x)
    assert isinstance(y, np.ndarray)
    assert y.shape == (len(x), *case.output_shape)
    np.testing.assert_allclose(y, case.reference(x.astype(np.float64), weights), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_training_step_changes_weights(case):
    keras.config.set_random_seed(1)
    layer = case.cls(**case.kwargs)
    head = layers.Dense(2)
    model = keras.Sequential([keras.Input(shape=case.input_shape), layer, layers.Flatten(), head])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    x, y = _data(case, 8), RNG.standard_normal((8, 2)).astype(np.float32)
    before = [w.copy() for w in model.get_weights()]
    layer_before = layer.get_weights()
    loss = model.train_on_batch(x, y)
    assert np.isfinite(loss)
    after = model.get_weights()
    assert len(after) == len(before) == len(case.weights) + 2
    for b, a in zip(before, after):
        assert not np.allclose(a, b), "every weight should move in one SGD step"
    for b, a in zip(layer_before, layer.get_weights()):
        assert not np.allclose(a, b)


# -- Dropout --------------------------------------------------------------------------------
def test_dropout_inference_is_identity():
    x = RNG.standard_normal((4, 10)).astype(np.float32)
    np.testing.assert_array_equal(layers.Dropout(0.7)(x), x)
    np.testing.assert_array_equal(layers.Dropout(0.7)(x, training=False), x)


@pytest.mark.parametrize("rate", [0.25, 0.5])
def test_dropout_training_zeros_and_scales(rate):
    x = np.ones((50, 200), np.float32)
    y = layers.Dropout(rate)(x, training=True)
    zeros = np.mean(y == 0)
    assert abs(zeros - rate) < 0.03
    np.testing.assert_allclose(y[y != 0], 1 / (1 - rate), rtol=1e-6)


def test_dropout_inside_a_training_step():
    """Dropout(0.5) -> Dense(1, no bias), batch of one, x = 1, y = 0, SGD: the kernel gradient
    of feature j is 2 * pred * dropped_x[j], so dropped features keep their weight and all
    survivors move by the same amount."""
    n, rate = 2000, 0.5
    dense = layers.Dense(1, use_bias=False, kernel_initializer="ones")
    model = keras.Sequential([keras.Input(shape=(n,)), layers.Dropout(rate), dense])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-6), loss="mse")
    model.train_on_batch(np.ones((1, n), np.float32), np.zeros((1, 1), np.float32))
    delta = 1.0 - dense.get_weights()[0][:, 0]
    moved = ~np.isclose(delta, 0, atol=1e-9)
    assert abs(1 - moved.mean() - rate) < 0.05
    np.testing.assert_allclose(delta[moved], delta[moved][0], rtol=1e-4)
    # pred = survivors * 2; delta = lr * 2 * pred * 2 (scaled input)
    survivors = moved.sum()
    np.testing.assert_allclose(delta[moved][0], 1e-6 * 2 * (2.0 * survivors) * 2.0, rtol=1e-3)
    # and predict() does not drop anything
    np.testing.assert_allclose(model.predict(np.ones((2, n), np.float32), verbose=0),
                               dense.get_weights()[0].sum(), rtol=1e-5)


# -- the Layer base API, through custom layers ------------------------------------------------
class Keras3Linear(layers.Layer):
    """Keras 3 style: add_weight(shape=..., initializer=..., name=...)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

    def call(self, inputs):
        return ops.add(ops.matmul(inputs, self.w), self.b)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Keras2Scale(layers.Layer):
    """Keras 2 style: add_weight(name, shape, ...) positionally, plus a non-trainable weight."""

    def build(self, input_shape):
        self.scale = self.add_weight("scale", (input_shape[-1],), initializer="ones")
        self.offset = self.add_weight("offset", (input_shape[-1],), initializer="zeros", trainable=False)

    def call(self, inputs):
        return ops.add(ops.multiply(ops.tanh(inputs), self.scale), self.offset)


def test_custom_layer_keras3_add_weight():
    layer = Keras3Linear(3)
    x = RNG.standard_normal((4, 5)).astype(np.float32)
    y = layer(x)
    assert [w.name for w in layer.weights] == [f"{layer.name}/w", f"{layer.name}/b"]
    assert [w.shape for w in layer.weights] == [(5, 3), (3,)]
    w, b = layer.get_weights()
    assert np.std(w) > 0 and np.all(b == 0)
    np.testing.assert_allclose(y, x @ w + b, rtol=1e-5, atol=1e-6)
    assert layer.count_params() == 18
    assert Keras3Linear.from_config(layer.get_config()).get_config() == layer.get_config()


def test_custom_layer_keras2_add_weight():
    layer = Keras2Scale()
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    layer.build((None, 3))
    assert [w.name.split("/")[-1] for w in layer.trainable_weights] == ["scale"]
    assert [w.name.split("/")[-1] for w in layer.non_trainable_weights] == ["offset"]
    assert [w.name.split("/")[-1] for w in layer.weights] == ["scale", "offset"]
    assert layer.built  # build() marks the layer built even without super().build()
    layer.set_weights([np.full(3, 2.0), np.array([1.0, 2.0, 3.0])])
    np.testing.assert_allclose(layer(x), 2 * np.tanh(x) + [1, 2, 3], rtol=1e-5)
    assert len(layer.weights) == 2  # the call did not build a second time


def test_non_trainable_weight_does_not_train():
    layer = Keras2Scale()
    model = keras.Sequential([keras.Input(shape=(3,)), layer, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    layer.set_weights([np.ones(3), np.full(3, 0.5)])
    model.train_on_batch(RNG.standard_normal((8, 3)), RNG.standard_normal((8, 1)))
    scale, offset = layer.get_weights()
    assert not np.allclose(scale, 1.0)
    np.testing.assert_array_equal(offset, 0.5)


@pytest.mark.parametrize("how", ["constructor", "attribute"])
def test_trainable_false_freezes_a_layer(how):
    frozen = layers.Dense(4, trainable=False) if how == "constructor" else layers.Dense(4)
    if how == "attribute":
        frozen.trainable = False
    head = layers.Dense(1)
    model = keras.Sequential([keras.Input(shape=(3,)), frozen, head])
    assert frozen.trainable_weights == []
    assert [w.name for w in frozen.non_trainable_weights] == [f"{frozen.name}/kernel", f"{frozen.name}/bias"]
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    assert model.count_params() == 3 * 4 + 4 + 4 + 1
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    frozen_before, head_before = frozen.get_weights(), head.get_weights()
    model.train_on_batch(RNG.standard_normal((8, 3)), RNG.standard_normal((8, 1)))
    for b, a in zip(frozen_before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(head.get_weights()[0], head_before[0])


def test_get_and_set_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    k, b = np.arange(6, dtype=np.float32).reshape(3, 2), np.array([1.0, -1.0], np.float32)
    layer.set_weights([k, b])
    got = layer.get_weights()
    np.testing.assert_array_equal(got[0], k)
    np.testing.assert_array_equal(got[1], b)
    got[0][:] = 0  # get_weights returns copies
    np.testing.assert_array_equal(layer.get_weights()[0], k)
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)), [[7.0, 8.0]])


def test_set_weights_wrong_shape_names_the_layer():
    layer = layers.Dense(2, name="my_dense")
    layer.build((None, 3))
    with pytest.raises(ValueError, match=r"my_dense.*\(3, 2\).*\(2, 3\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match=r"my_dense.*expects 2 weights.*received 1"):
        layer.set_weights([np.zeros((3, 2))])


def test_count_params_before_build_raises():
    with pytest.raises(ValueError, match="not built"):
        layers.Dense(2, name="lazy").count_params()


def test_weights_keyword_sets_initial_values():
    k, b = np.full((3, 2), 0.5, np.float32), np.array([1.0, 2.0], np.float32)
    layer = layers.Dense(2, weights=[k, b])
    np.testing.assert_allclose(layer(np.ones((1, 3), np.float32)), [[2.5, 3.5]])


def test_unique_default_names():
    a, b = layers.Dense(1), layers.Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")


# -- more Dense and Dropout behaviour --------------------------------------------------------
def test_dense_casts_integer_inputs():
    """tf.keras's Dense casts inputs to its dtype, so integer data works (eagerly and in models)."""
    dense = layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")
    np.testing.assert_array_equal(dense(np.array([[1, 2, 3]], np.int64)), [[6.0, 6.0]])
    x = keras.Input(shape=(3,), dtype="int32")
    model = keras.Model(x, layers.Dense(2, kernel_initializer="ones")(x))
    np.testing.assert_array_equal(model.predict(np.array([[1, 2, 3], [0, 0, 1]]), verbose=0), [[6, 6], [1, 1]])
    model.compile(optimizer="sgd", loss="mse")
    assert model.train_on_batch(np.array([[1, 2, 3]]), np.zeros((1, 2))) == pytest.approx(36.0)


def test_dropout_seed_is_reproducible():
    x = np.ones((4, 50), np.float32)
    a = layers.Dropout(0.5, seed=3)(x, training=True)
    b = layers.Dropout(0.5, seed=3)(x, training=True)
    np.testing.assert_array_equal(a, b)
    assert 0 < np.mean(a == 0) < 1


def test_dropout_rate_zero_is_identity_in_training():
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True), x)


def test_shared_layer_weights_count_once():
    shared = layers.Dense(2)
    x = keras.Input(shape=(2,))
    model = keras.Model(x, shared(shared(x)))
    assert len(model.weights) == 2 and model.count_params() == 6
    data = RNG.standard_normal((5, 2)).astype(np.float32)
    k, b = shared.get_weights()
    np.testing.assert_allclose(model.predict(data, verbose=0), (data @ k + b) @ k + b, rtol=1e-5, atol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(data, np.ones((5, 2)))
    k, b = shared.get_weights()
    np.testing.assert_allclose(model.predict(data, verbose=0), (data @ k + b) @ k + b, rtol=1e-5, atol=1e-6)


def test_kernel_and_activity_regularizers_add_to_the_loss():
    x = RNG.standard_normal((8, 3)).astype(np.float32)
    y = np.ones((8, 1), np.float32)
    for kwargs, penalty in [({"kernel_regularizer": keras.regularizers.L2(0.1)}, lambda k, p: 0.1 * np.sum(k ** 2)),
                            ({"activity_regularizer": keras.regularizers.L1(0.01)},
                             lambda k, p: 0.01 * np.sum(np.abs(p)) / len(p))]:
        dense = layers.Dense(1, bias_initializer="ones", **kwargs)
        model = keras.Sequential([keras.Input(shape=(3,)), dense])
        model.compile(optimizer="sgd", loss="mse")
        k, b = dense.get_weights()
        p = x @ k + b
        assert model.evaluate(x, y, verbose=0) == pytest.approx(np.mean((p - y) ** 2) + penalty(k, p), rel=1e-5)
        clone = layers.Dense.from_config(dense.get_config())
        assert clone.get_config() == dense.get_config()


def test_retrain_after_freezing_and_recompiling():
    frozen, head = layers.Dense(4), layers.Dense(1)
    model = keras.Sequential([keras.Input(shape=(3,)), frozen, head])
    model.compile(optimizer="sgd", loss="mse")
    x, y = RNG.standard_normal((8, 3)), np.ones((8, 1))
    model.train_on_batch(x, y)
    frozen.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    before = frozen.get_weights()
    model.train_on_batch(x, y)
    for b, a in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_trainable_false_freezes_everything():
    model = keras.Sequential([layers.Dense(4, input_dim=3), layers.Dense(1)])
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    model.train_on_batch(RNG.standard_normal((8, 3)), np.ones((8, 1)))
    for b, a in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_dropout_after_frozen_layers_still_drops_in_training():
    """onnxruntime's EliminateDropout would delete a Dropout whose mask output nobody reads."""
    x = np.random.default_rng(0).random((16, 8), dtype=np.float32)
    y = np.ones((16, 1), np.float32)
    model = keras.Sequential([keras.Input((8,)), layers.Dense(16, trainable=False), layers.Dropout(0.9),
                              layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    losses = [model.train_on_batch(x, y) for _ in range(3)]
    assert len(set(losses)) == 3  # a new mask each step, so a new loss with unchanged weights


def test_dropout_noise_shape_shares_the_mask_along_its_ones():
    x = np.ones((6, 5, 4), np.float32)
    out = layers.Dropout(0.5, noise_shape=(None, 1, 4), seed=1)(x, training=True)
    assert set(np.unique(out).tolist()) <= {0.0, 2.0}
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1, :], out.shape))  # same at every step
    assert 0 < (out == 0).mean() < 1
    with pytest.raises(ValueError, match="does not broadcast"):
        layers.Dropout(0.5, noise_shape=(None, 3, 4))(x, training=True)
    assert layers.Dropout.from_config(layers.Dropout(0.2, noise_shape=(None, 1, 4)).get_config()).noise_shape == \
        (None, 1, 4)


def test_glu_and_threshold_activations():
    x = RNG.standard_normal((3, 6)).astype(np.float32)
    a, b = x[:, :3], x[:, 3:]
    np.testing.assert_allclose(keras.activations.get("glu")(x), a / (1 + np.exp(-b)), rtol=1e-6)
    model = keras.Sequential([keras.Input((6,)), layers.Activation("glu")])
    np.testing.assert_allclose(model.predict(x, verbose=0), a / (1 + np.exp(-b)), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(keras.activations.threshold(x, 0.2, -1.0), np.where(x > 0.2, x, -1.0))


@pytest.mark.parametrize("name", ["mish", "hard_swish", "log_sigmoid", "sparse_plus"])
def test_newer_activations_in_a_recurrent_layer(name):
    """As activation of an LSTM (the step loop), predict matches the eager call and training moves."""
    model = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4, activation=name), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = RNG.standard_normal((6, 5, 3)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), model(x), rtol=1e-5, atol=1e-6)
    before = model.get_weights()
    assert np.isfinite(model.train_on_batch(x, RNG.standard_normal((6, 1)).astype(np.float32)))
    assert not np.allclose(before[0], model.get_weights()[0])
