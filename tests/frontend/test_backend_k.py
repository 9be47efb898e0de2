"""Keras 2's backend functions, used as classic code uses them: `from horn import backend as K`.

Each function is checked against numpy on numpy inputs and inside a model (a Lambda, traced
with a dynamic batch axis); then the classic custom layers (the Keras 2 docs' MyLayer, the
antirectifier, a VAE's sampling layer), get_value/set_value, and errors naming the function.
The formulas were checked against real Keras 3.15.1's keras.ops / keras.layers.Dot (jax).
"""

import math

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import horn as keras
from horn import backend as K
from horn import layers
from horn.frontend import backend as backend_module

RNG = np.random.default_rng(3)
X = RNG.standard_normal((3, 4, 5)).astype(np.float32)


def _traced(fn, *inputs):
    """fn applied inside a model (a Lambda on inputs with a None batch axis), run by predict()."""
    symbols = [keras.Input(x.shape[1:], dtype=x.dtype.name) for x in inputs]
    out = layers.Lambda(lambda ts: fn(*ts) if isinstance(ts, list) else fn(ts))(
        symbols if len(symbols) > 1 else symbols[0])
    model = keras.Model(symbols if len(symbols) > 1 else symbols[0], out)
    return model.predict(list(inputs) if len(inputs) > 1 else inputs[0], verbose=0)


def _l2(x, axis):
    return x / np.sqrt(np.maximum((x * x).sum(axis=axis, keepdims=True), 1e-12))


def _round_half_even(x):
    return np.round(x)  # numpy rounds ties to even, as Keras 2 (tf.round) does


def _keras2_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    pos = np.where(x > threshold, x, 0.0)
    if max_value is not None:
        pos = np.clip(pos, 0.0, max_value)
    return pos - alpha * np.maximum(threshold - x, 0.0)


# (id, K function of x, numpy reference of x): x is X, shape (3, 4, 5); axis 0 is the batch axis
UNARY = [
    ("l2_normalize_last", lambda t: K.l2_normalize(t, axis=-1), lambda x: _l2(x, -1)),
    ("l2_normalize_1", lambda t: K.l2_normalize(t, axis=1), lambda x: _l2(x, 1)),
    ("logsumexp", lambda t: K.logsumexp(t, axis=1), lambda x: np.log(np.exp(x).sum(1))),
    ("logsumexp_keepdims", lambda t: K.logsumexp(t, axis=-1, keepdims=True),
     lambda x: np.log(np.exp(x).sum(-1, keepdims=True))),
    ("std", lambda t: K.std(t, axis=1, keepdims=True), lambda x: x.std(1, keepdims=True)),
    ("var", lambda t: K.var(t, axis=-1), lambda x: x.var(-1)),
    ("prod", lambda t: K.prod(t, axis=1), lambda x: x.prod(1)),
    ("prod_two_axes", lambda t: K.prod(t, axis=(1, 2)), lambda x: x.prod((1, 2))),
    ("prod_batch_axis", lambda t: K.prod(t, axis=0, keepdims=True) + 0 * t, lambda x: x.prod(0, keepdims=True) + 0 * x),
    ("cumsum", lambda t: K.cumsum(t, axis=1), lambda x: np.cumsum(x, 1)),
    ("cumsum_batch_axis", lambda t: K.cumsum(t), lambda x: np.cumsum(x, 0)),
    ("any", lambda t: K.cast(K.any(K.greater(t, 1.0), axis=-1), "float32"), lambda x: (x > 1.0).any(-1) * 1.0),
    ("all", lambda t: K.cast(K.all(K.greater(t, -1.0), axis=1), "float32"), lambda x: (x > -1.0).all(1) * 1.0),
    ("round", lambda t: K.round(t * 2.0), lambda x: _round_half_even(x * 2.0)),
    ("sin", lambda t: K.sin(t * 7.0), lambda x: np.sin(x * 7.0)),
    ("cos", lambda t: K.cos(t * 7.0), lambda x: np.cos(x * 7.0)),
    ("pow", lambda t: K.pow(t, 3), lambda x: x ** 3),
    ("log", lambda t: K.log(K.abs(t) + 0.1), lambda x: np.log(np.abs(x) + 0.1)),
    ("max_keepdims", lambda t: K.max(t, axis=1, keepdims=True), lambda x: x.max(1, keepdims=True)),
    ("min", lambda t: K.min(t, axis=-1), lambda x: x.min(-1)),
    ("sum_keepdims", lambda t: K.sum(t, axis=(1, 2), keepdims=True), lambda x: x.sum((1, 2), keepdims=True)),
    ("mean", lambda t: K.mean(t, axis=-1), lambda x: x.mean(-1)),
    ("mean_of_bools", lambda t: K.mean(K.greater(t, 0.0), axis=-1), lambda x: (x > 0).mean(-1)),
    ("repeat_elements", lambda t: K.repeat_elements(t, 3, axis=1), lambda x: np.repeat(x, 3, axis=1)),
    ("stack", lambda t: K.stack([t, t * 2.0], axis=-1), lambda x: np.stack([x, x * 2], -1)),
    ("concatenate_default_last", lambda t: K.concatenate([t, -t]), lambda x: np.concatenate([x, -x], -1)),
    ("relu", lambda t: K.relu(t), lambda x: np.maximum(x, 0)),
    ("relu_alpha_max", lambda t: K.relu(t, alpha=0.1, max_value=1.0), lambda x: _keras2_relu(x, 0.1, 1.0)),
    ("relu_threshold", lambda t: K.relu(t, alpha=0.2, threshold=0.3), lambda x: _keras2_relu(x, 0.2, None, 0.3)),
    ("hard_sigmoid", lambda t: K.hard_sigmoid(t * 3.0), lambda x: np.clip(0.6 * x + 0.5, 0, 1)),
    ("switch", lambda t: K.switch(K.greater(K.sum(t, axis=(1, 2)), 0.0), t, -t),
     lambda x: np.where((x.sum((1, 2)) > 0)[:, None, None], x, -x)),
    ("switch_callables", lambda t: K.switch(K.greater_equal(t, 0.0), lambda: t, lambda: t * 0.5),
     lambda x: np.where(x >= 0, x, 0.5 * x)),
    ("not_equal", lambda t: K.cast(K.not_equal(K.round(t), 0.0), "float32"), lambda x: (np.round(x) != 0) * 1.0),
    ("less_equal", lambda t: K.cast(K.less_equal(t, 0.5), "float32"), lambda x: (x <= 0.5) * 1.0),
    ("zeros_like", lambda t: K.zeros_like(t) + 2.0, lambda x: np.zeros_like(x) + 2),
    ("ones_like", lambda t: K.ones_like(t), np.ones_like),
    ("reshape_dynamic_batch", lambda t: K.reshape(t, (K.shape(t)[0], -1)), lambda x: x.reshape(len(x), -1)),
    ("batch_size_from_shape", lambda t: K.ones_like(t) * K.cast(K.shape(t)[0], "float32"),
     lambda x: np.full_like(x, len(x))),
    ("clip_none_min", lambda t: K.clip(t, None, 0.5), lambda x: np.minimum(x, 0.5)),
    ("batch_flatten", lambda t: K.batch_flatten(t), lambda x: x.reshape(len(x), -1)),
    ("permute_dimensions", lambda t: K.permute_dimensions(t, (0, 2, 1)), lambda x: x.transpose(0, 2, 1)),
    ("expand_dims_default_last", lambda t: K.expand_dims(t), lambda x: x[..., None]),
    ("dot_2d_kernel", lambda t: K.dot(t, np.arange(10, dtype=np.float32).reshape(5, 2)),
     lambda x: x @ np.arange(10, dtype=np.float32).reshape(5, 2)),
    ("dot_3d_like_np_dot", lambda t: K.dot(t, np.arange(30, dtype=np.float32).reshape(3, 5, 2) / 30),
     lambda x: np.dot(x, np.arange(30, dtype=np.float32).reshape(3, 5, 2) / 30)),
    ("bias_add", lambda t: K.bias_add(t, np.arange(5, dtype=np.float32)), lambda x: x + np.arange(5)),
]


@pytest.mark.parametrize("how", ["numpy", "traced"])
@pytest.mark.parametrize("name, fn, ref", UNARY, ids=[c[0] for c in UNARY])
def test_function_against_numpy(name, fn, ref, how):
    got = np.asarray(fn(X) if how == "numpy" else _traced(fn, X))
    want = ref(X.astype(np.float64))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


A3, B3 = RNG.standard_normal((4, 3, 5)).astype(np.float32), RNG.standard_normal((4, 6, 5)).astype(np.float32)
C3, A2, B2 = RNG.standard_normal((4, 5, 2)).astype(np.float32), *RNG.standard_normal((2, 4, 5)).astype(np.float32)

# (id, x, y, axes, numpy reference): Keras 2.3's batch_dot, the same as keras.layers.Dot in Keras 3
BATCH_DOT = [
    ("2d_axes_1", A2, B2, 1, lambda x, y: (x * y).sum(1, keepdims=True)),
    ("2d_default", A2, B2, None, lambda x, y: (x * y).sum(1, keepdims=True)),
    ("3d_default_is_matmul", A3, C3, None, lambda x, y: x @ y),
    ("3d_axes_2_2", A3, B3, (2, 2), lambda x, y: np.einsum("bik,bjk->bij", x, y)),
    ("3d_axes_1_2", A3, A3.transpose(0, 2, 1).copy(), (1, 2), lambda x, y: np.einsum("bki,bjk->bij", x, y)),
    ("3d_axes_1_1", A3.transpose(0, 2, 1).copy(), C3, (1, 1), lambda x, y: np.einsum("bki,bkj->bij", x, y)),
    ("3d_2d", A3, A2, (2, 1), lambda x, y: np.einsum("bik,bk->bi", x, y)),
    ("negative_axes", A3, B3, (-1, -1), lambda x, y: np.einsum("bik,bjk->bij", x, y)),
]


@pytest.mark.parametrize("how", ["numpy", "traced"])
@pytest.mark.parametrize("name, x, y, axes, ref", BATCH_DOT, ids=[c[0] for c in BATCH_DOT])
def test_batch_dot(name, x, y, axes, ref, how):
    fn = lambda a, b: K.batch_dot(a, b, axes=axes)  # noqa: E731
    got = np.asarray(fn(x, y) if how == "numpy" else _traced(fn, x, y))
    want = ref(x.astype(np.float64), y.astype(np.float64))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_the_docs_batch_dot_shape_example():
    out = K.batch_dot(np.ones((32, 20, 1), np.float32), np.ones((32, 30, 20), np.float32), axes=(1, 2))
    assert K.int_shape(out) == (32, 1, 30)
    np.testing.assert_array_equal(out, 20.0)


def test_round_ties_to_even_and_edge_values():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 8388609.0, 3.7, -3.2], np.float32)
    np.testing.assert_array_equal(K.round(x), np.round(x))


def test_sin_cos_over_a_wide_range():
    x = np.linspace(-60, 60, 4001).astype(np.float32)
    np.testing.assert_allclose(K.sin(x), np.sin(x.astype(np.float64)), atol=2e-6)
    np.testing.assert_allclose(K.cos(x), np.cos(x.astype(np.float64)), atol=2e-6)


def test_logsumexp_is_stable_and_handles_all_minus_inf():
    x = np.array([[1000.0, 1000.0, -5.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    with np.errstate(divide="ignore"):
        out = K.logsumexp(x, axis=1)
    np.testing.assert_allclose(out, [1000.0 + np.log(2.0), -np.inf], rtol=1e-6)


def test_gather_and_flatten():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_array_equal(K.gather(table, [2, 0, 2]), table[[2, 0, 2]])
    ids = np.array([[1, 3], [0, 0]], np.int32)
    np.testing.assert_array_equal(_traced(lambda t: K.gather(table, t), ids), table[ids])
    np.testing.assert_array_equal(K.flatten(X), X.reshape(-1))
    np.testing.assert_array_equal(K.repeat(X[:, 0], 2), np.repeat(X[:, :1], 2, axis=1))


def test_constants_and_shapes():
    assert K.constant(2, shape=(2, 3)).dtype == np.float32
    np.testing.assert_array_equal(K.constant(2, shape=(2, 3)), np.full((2, 3), 2.0))
    np.testing.assert_array_equal(K.constant([1, 2, 3, 4], shape=(2, 2)), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(K.zeros((2, 3)), np.zeros((2, 3)))
    assert K.ones((2,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(K.ones_like([[1, 2]]), [[1, 1]])
    assert K.cast_to_floatx([1, 2]).dtype == np.float32
    assert K.shape(X) == (3, 4, 5) and K.int_shape(X) == (3, 4, 5) and K.ndim(X) == 3
    assert K.count_params(np.zeros((3, 7))) == 21
    assert K.int_shape(keras.Input((7, 2))) == (None, 7, 2)
    assert K.dtype(X) == "float32"
    assert K.learning_phase() == 0
    assert K.is_keras_tensor(keras.Input((2,))) is True
    assert K.is_keras_tensor(K.variable([1.0])) is False


def test_crossentropies_against_numpy():
    p = RNG.uniform(0.05, 1.0, (4, 5)).astype(np.float32)
    logits = RNG.standard_normal((4, 5)).astype(np.float32)
    ids = np.array([0, 3, 4, 1])
    onehot = np.eye(5, dtype=np.float32)[ids]
    q = p / p.sum(1, keepdims=True)
    np.testing.assert_allclose(K.categorical_crossentropy(onehot, p), -np.log(q[range(4), ids]), rtol=1e-5)
    log_softmax = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    np.testing.assert_allclose(K.categorical_crossentropy(onehot, logits, from_logits=True),
                               -log_softmax[range(4), ids], rtol=1e-5)
    np.testing.assert_allclose(K.sparse_categorical_crossentropy(ids, p), -np.log(q[range(4), ids]), rtol=1e-5)
    np.testing.assert_allclose(K.sparse_categorical_crossentropy(ids[:, None], logits, from_logits=True),
                               -log_softmax[range(4), ids], rtol=1e-5)
    t = (RNG.uniform(size=(4, 5)) > 0.5).astype(np.float32)
    pc = np.clip(p, 1e-7, 1 - 1e-7)
    np.testing.assert_allclose(K.binary_crossentropy(t, p), -(t * np.log(pc) + (1 - t) * np.log(1 - pc)),
                               rtol=1e-5, atol=1e-6)
    s = 1 / (1 + np.exp(-logits.astype(np.float64)))
    np.testing.assert_allclose(K.binary_crossentropy(t, logits, from_logits=True),
                               -(t * np.log(s) + (1 - t) * np.log(1 - s)), rtol=1e-5, atol=1e-6)


def test_crossentropy_as_a_custom_loss():
    x = RNG.standard_normal((8, 3)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[RNG.integers(0, 4, 8)]
    inp = keras.Input((3,))
    dense = layers.Dense(4, activation="softmax")
    model = keras.Model(inp, dense(inp))
    model.compile(optimizer="sgd", loss=lambda yt, yp: K.categorical_crossentropy(yt, yp))
    k, b = dense.get_weights()
    z = x @ k + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), -np.log((p * y).sum(1)).mean(), rtol=1e-5)


# -- the user's path: horn.backend -----------------------------------------------------------
def test_backend_module_exports_every_k_function():
    import horn.backend

    assert keras.backend is horn.backend
    assert K.dot is keras.backend.dot is backend_module.dot
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4))
    np.testing.assert_allclose(keras.backend.dot(a, b), a @ b)
    for name in backend_module.__all__:
        assert getattr(horn.backend, name) is getattr(backend_module, name), name
    for name in ["exp", "sum", "mean", "shape", "random_normal", "get_value", "set_value", "l2_normalize",
                 "batch_dot", "switch", "epsilon", "floatx", "clear_session"]:
        assert name in backend_module.__all__
    for module_name in ["np", "ops", "naming", "math", "builtins"]:
        assert module_name not in backend_module.__all__
        assert not hasattr(horn.backend, module_name)


# -- classic custom layers ---------------------------------------------------------------------
class MyLayer(layers.Layer):
    """The Keras 2 docs' example custom layer."""

    def __init__(self, output_dim, **kwargs):
        self.output_dim = output_dim
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[1], self.output_dim),
                                      initializer="uniform", trainable=True)
        super().build(input_shape)

    def call(self, x):
        return K.dot(x, self.kernel)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


def test_my_layer_with_k_dot_trains_like_numpy():
    x = RNG.standard_normal((6, 4)).astype(np.float32)
    y = RNG.standard_normal((6, 3)).astype(np.float32)
    inp = keras.Input((4,))
    layer = MyLayer(3)
    model = keras.Model(inp, layer(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    (w,) = layer.get_weights()
    np.testing.assert_allclose(model.predict(x, verbose=0), x @ w, rtol=1e-5, atol=1e-6)
    model.train_on_batch(x, y)
    grad = 2.0 / y.size * x.T @ (x @ w - y)
    np.testing.assert_allclose(layer.get_weights()[0], w - 0.1 * grad, rtol=1e-5, atol=1e-6)


class Antirectifier(layers.Layer):
    """The Keras 2 example's antirectifier: centre, l2-normalize, then [relu(x), relu(-x)]."""

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[-1] *= 2
        return tuple(shape)

    def call(self, inputs):
        inputs -= K.mean(inputs, axis=1, keepdims=True)
        inputs = K.l2_normalize(inputs, axis=1)
        pos = K.relu(inputs)
        neg = K.relu(-inputs)
        return K.concatenate([pos, neg], axis=1)


def test_antirectifier():
    x = RNG.standard_normal((10, 6)).astype(np.float32)
    inp = keras.Input((6,))
    hidden = layers.Dense(6)
    out_layer = layers.Dense(2, activation="softmax")
    model = keras.Model(inp, out_layer(Antirectifier()(hidden(inp))))
    k, b = hidden.get_weights()
    h = x @ k + b
    h = _l2(h - h.mean(1, keepdims=True), 1)
    anti = np.concatenate([np.maximum(h, 0), np.maximum(-h, 0)], 1)
    assert model.layers[2].compute_output_shape((None, 6)) == (None, 12)
    k2, b2 = out_layer.get_weights()
    z = anti @ k2 + b2
    p = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(model.predict(x, verbose=0), p / p.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)
    y = np.eye(2, dtype=np.float32)[(x[:, 0] > 0).astype(int)]
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="categorical_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    for _ in range(20):
        model.train_on_batch(x, y)
    assert model.evaluate(x, y, verbose=0) < 0.7 * before


LATENT = 2


def sampling(args):
    """The Keras 2 VAE example's reparameterization trick."""
    z_mean, z_log_var = args
    epsilon = K.random_normal(shape=(K.shape(z_mean)[0], LATENT))
    return z_mean + K.exp(0.5 * z_log_var) * epsilon


def _vae():
    inp = keras.Input((6,))
    h = layers.Dense(8, activation="relu")(inp)
    z_mean = layers.Dense(LATENT, name="z_mean")(h)
    z_log_var = layers.Dense(LATENT, name="z_log_var")(h)
    z = layers.Lambda(sampling, output_shape=(LATENT,), name="z")([z_mean, z_log_var])
    decoded = layers.Dense(6)(layers.Dense(8, activation="relu")(z))
    return keras.Model(inp, decoded), keras.Model(inp, [z_mean, z_log_var, z])


def test_vae_sampling_on_a_dynamic_batch(tmp_path):
    vae, encoder = _vae()
    for n in (5, 9):
        x = RNG.standard_normal((n, 6)).astype(np.float32)
        assert vae.predict(x, verbose=0).shape == (n, 6)
        mean, log_var, z = encoder.predict(x, verbose=0)
        assert z.shape == (n, LATENT)
    # the draws: z = mean + exp(log_var / 2) * eps, eps ~ N(0, 1), new ones each run
    x = RNG.standard_normal((4000, 6)).astype(np.float32)
    mean, log_var, z = encoder.predict(x, batch_size=4000, verbose=0)
    eps = (z - mean) / np.exp(0.5 * log_var)
    assert abs(eps.mean()) < 0.05 and abs(eps.std() - 1.0) < 0.05
    assert abs(np.corrcoef(eps[:, 0], eps[:, 1])[0, 1]) < 0.06
    _, _, z_again = encoder.predict(x, batch_size=4000, verbose=0)
    assert not np.allclose(z, z_again)

    vae.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    data = RNG.standard_normal((64, 6)).astype(np.float32)
    before = [w.copy() for w in vae.get_weights()]
    history = vae.fit(data, data, batch_size=16, epochs=3, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert all(not np.allclose(a, b) for a, b in zip(before, vae.get_weights()))

    path = str(tmp_path / "vae.onnx")
    encoder.export(path, verbose=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = ort.InferenceSession(path)
    x = RNG.standard_normal((3000, 6)).astype(np.float32)
    mean, log_var, z = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(mean, encoder.predict(x, verbose=0)[0], rtol=1e-5, atol=1e-6)
    eps = (z - mean) / np.exp(0.5 * log_var)
    assert z.shape == (3000, LATENT) and abs(eps.mean()) < 0.06 and abs(eps.std() - 1.0) < 0.06


def test_random_functions_eagerly_and_with_static_shapes():
    draws = K.random_normal((20000,), mean=2.0, stddev=0.5, seed=1)
    assert draws.dtype == np.float32 and abs(draws.mean() - 2.0) < 0.02 and abs(draws.std() - 0.5) < 0.02
    u = K.random_uniform((20000,), minval=-1.0, maxval=3.0)
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.05
    inside = _traced(lambda t: K.random_uniform((K.shape(t)[0], 3), -2.0, -1.0) + 0 * K.sum(t), X[:, 0])
    assert inside.shape == (3, 3) and np.all((inside >= -2.0) & (inside < -1.0))
    inp = keras.Input((5,))
    draw = layers.Lambda(lambda t: K.sum(t, axis=1, keepdims=True) * 0 + K.random_normal((1, 4000)))
    model = keras.Model(inp, draw(inp))
    fixed = model.predict(X[:, 0], verbose=0)
    assert fixed.shape == (3, 4000) and abs(fixed.std() - 1.0) < 0.05
    np.testing.assert_array_equal(fixed[0], fixed[2])  # one (1, 4000) draw, broadcast over the batch
    assert not np.allclose(fixed, model.predict(X[:, 0], verbose=0))  # a new draw each run, not a constant


# -- values of variables and of the learning rate ------------------------------------------------
def test_get_value_and_set_value_on_variables():
    v = K.variable([[1.0, 2.0]])
    np.testing.assert_array_equal(K.get_value(v), [[1.0, 2.0]])
    K.set_value(v, [[3.0, 4.0]])
    np.testing.assert_array_equal(K.eval(v), [[3.0, 4.0]])
    with pytest.raises(ValueError, match="shape"):
        K.set_value(v, [1.0, 2.0, 3.0])

    inp = keras.Input((2,))
    dense = layers.Dense(1, use_bias=False)
    model = keras.Model(inp, dense(inp))
    model.predict(np.ones((1, 2), np.float32), verbose=0)
    K.set_value(dense.kernel, np.array([[2.0], [-1.0]], np.float32))
    np.testing.assert_allclose(model.predict(np.array([[1.0, 1.0]], np.float32), verbose=0), [[1.0]])
    np.testing.assert_array_equal(K.get_value(dense.kernel), [[2.0], [-1.0]])


def test_set_value_of_the_optimizer_learning_rate_changes_the_next_update():
    assert isinstance(keras.optimizers.SGD(0.1).lr, backend_module.OptimizerLearningRate)
    x = RNG.standard_normal((8, 3)).astype(np.float32)
    y = RNG.standard_normal((8, 1)).astype(np.float32)
    inp = keras.Input((3,))
    dense = layers.Dense(1, use_bias=False)
    model = keras.Model(inp, dense(inp))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.1)

    def step_delta():
        (w,) = dense.get_weights()
        grad = 2.0 / len(x) * x.T @ (x @ w - y)
        model.train_on_batch(x, y)
        return dense.get_weights()[0] - w, grad

    delta, grad = step_delta()
    np.testing.assert_allclose(delta, -0.1 * grad, rtol=1e-4, atol=1e-7)
    K.set_value(model.optimizer.lr, 0.01)
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.01)
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    delta, grad = step_delta()
    np.testing.assert_allclose(delta, -0.01 * grad, rtol=1e-4, atol=1e-8)
    assert float(model.optimizer.lr) * 2 == pytest.approx(0.02)  # still a number for arithmetic


# -- errors name the function -----------------------------------------------------------------------
@pytest.mark.parametrize("call, error, match", [
    (lambda: K.batch_dot(A3, B3, axes=0), ValueError, "batch_dot.*batch axis"),
    (lambda: K.batch_dot(A3, B3, axes=(1, 1)), ValueError, "batch_dot.*equal sizes"),
    (lambda: K.batch_dot(A2[0], B2, axes=1), ValueError, "batch_dot.*rank >= 2"),
    (lambda: K.random_normal((None, 2)), ValueError, "random_normal.*shape of ints"),
    (lambda: K.random_normal((2, 2), stddev=-1.0), ValueError, "random_normal.*stddev"),
    (lambda: K.random_uniform((2,), 1.0, 0.0), ValueError, "random_uniform.*minval <= maxval"),
    (lambda: K.reshape(X, "abc"), ValueError, "reshape"),
    (lambda: K.reshape(keras.Input((3, 4)), (K.shape(keras.Input((3, 4)))[0], -1)), TypeError,
     "reshape.*functional API.*Lambda"),
    (lambda: K.prod(X, axis=3), ValueError, "prod.*axis=3"),
    (lambda: K.relu(X, max_value=-1.0), ValueError, "relu.*max_value"),
    (lambda: K.switch(X > 0, X[0], X[1]), ValueError, "switch.*rank"),
    (lambda: K.is_keras_tensor(np.zeros(2)), ValueError, "is_keras_tensor.*symbolic tensor.*ndarray"),
    (lambda: K.set_value(0.1, 0.2), TypeError, "set_value.*learning_rate"),
    (lambda: K.set_value(np.zeros(2), [1, 2]), TypeError, "set_value.*variable"),
    (lambda: K.count_params(keras.Input((3,))), ValueError, "count_params.*static"),
    (lambda: K.sparse_categorical_crossentropy(np.zeros(2), np.ones((2, 3)), axis=0), ValueError,
     "sparse_categorical_crossentropy.*axis"),
], ids=["batch_dot_axis0", "batch_dot_sizes", "batch_dot_rank", "random_normal_none", "random_normal_stddev",
        "random_uniform_bounds", "reshape_not_a_shape", "reshape_symbolic", "prod_axis", "relu_max", "switch_rank",
        "is_keras_tensor", "set_value_float", "set_value_array", "count_params", "sparse_cce_axis"])
def test_errors_name_the_function(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_errors_inside_a_traced_call():
    with pytest.raises(TypeError, match="get_value.*only known when the model runs"):
        _traced(lambda t: K.get_value(t), X)
    with pytest.raises(ValueError, match="repeat_elements.*static size"):
        _traced(lambda t: K.repeat_elements(t, 2, axis=0), X)
    with pytest.raises(ValueError, match="batch_flatten.*static"):
        K.batch_flatten(keras.Input((None, 3)))
    assert math.isclose(K.epsilon(), 1e-7)
