"""Eager mode: horn.ops and layers called on numpy arrays return numpy arrays at once."""

import numpy as np
import pytest

import horn as keras
from horn import layers, ops

X = (np.arange(24, dtype=np.float32).reshape(4, 6) - 11) / 4
Y = np.linspace(-1, 1, 18, dtype=np.float32).reshape(6, 3)


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


OPS = [
    ("matmul", lambda: ops.matmul(X, Y), lambda: X @ Y),
    ("softmax", lambda: ops.softmax(X), lambda: _softmax(X)),
    ("softmax-axis0", lambda: ops.softmax(X, axis=0), lambda: _softmax(X, axis=0)),
    ("relu", lambda: ops.relu(X), lambda: np.maximum(X, 0)),
    ("mean", lambda: ops.mean(X), lambda: X.mean()),
    ("mean-axis", lambda: ops.mean(X, axis=1), lambda: X.mean(axis=1)),
    ("mean-axis-keepdims", lambda: ops.mean(X, axis=0, keepdims=True), lambda: X.mean(axis=0, keepdims=True)),
    ("mean-axes", lambda: ops.mean(X.reshape(2, 2, 6), axis=(0, 2)), lambda: X.reshape(2, 2, 6).mean(axis=(0, 2))),
    ("argmax", lambda: ops.argmax(X * np.array([1, -1, 1, -1, 1, -1], np.float32)),
     lambda: np.argmax(X * np.array([1, -1, 1, -1, 1, -1], np.float32), axis=-1)),
    ("argmax-axis0", lambda: ops.argmax(np.cos(X), axis=0), lambda: np.argmax(np.cos(X), axis=0)),
    ("one_hot", lambda: ops.one_hot(np.array([0, 2, 1, 2]), 3), lambda: np.eye(3, dtype=np.float32)[[0, 2, 1, 2]]),
    ("one_hot-int32", lambda: ops.one_hot(np.array([[3], [0]], np.int32), 4),
     lambda: np.eye(4, dtype=np.float32)[[[3], [0]]]),
    ("reshape-None", lambda: ops.reshape(X, (None, 2, 3)), lambda: X.reshape(4, 2, 3)),
    ("reshape-None-minus-one", lambda: ops.reshape(X, (None, -1, 2)), lambda: X.reshape(4, 3, 2)),
    ("reshape-minus-one", lambda: ops.reshape(X, (-1,)), lambda: X.reshape(-1)),
    ("concatenate", lambda: ops.concatenate([X, 2 * X], axis=1), lambda: np.concatenate([X, 2 * X], axis=1)),
    ("add-broadcast", lambda: ops.add(X, np.arange(6, dtype=np.float32)), lambda: X + np.arange(6)),
]


@pytest.mark.parametrize("name, run, reference", OPS, ids=[o[0] for o in OPS])
def test_op_on_numpy(name, run, reference):
    got, want = run(), np.asarray(reference())
    assert isinstance(got, np.ndarray)
    assert got.shape == want.shape
    if want.dtype.kind in "iu":
        assert got.dtype.kind in "iu"
        np.testing.assert_array_equal(got, want)
    else:
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_ops_compose_on_numpy():
    logits = ops.matmul(X, Y)
    probs = ops.softmax(logits)
    np.testing.assert_allclose(ops.mean(ops.relu(probs - 0.3), axis=1),
                               np.maximum(_softmax(X @ Y) - 0.3, 0).mean(axis=1), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(ops.argmax(probs), np.argmax(X @ Y, axis=-1))


@pytest.mark.parametrize("make, shape", [
    (lambda: layers.Dense(3, activation="sigmoid"), (5, 3)),
    (lambda: layers.Activation("softmax"), (5, 6)),
    (lambda: layers.Reshape((3, 2)), (5, 3, 2)),
    (lambda: layers.Dropout(0.5), (5, 6)),
], ids=["Dense", "Activation", "Reshape", "Dropout"])
def test_layer_on_numpy_returns_numpy(make, shape):
    out = make()(np.ones((5, 6), np.float32))
    assert isinstance(out, np.ndarray) and out.shape == shape and out.dtype == np.float32


def test_layer_computes_float64_input_in_float32():
    dense = layers.Dense(2, kernel_initializer="ones", bias_initializer="zeros")
    out = dense(np.array([[1.0, 2.0, 3.0]], np.float64))
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out, [[6.0, 6.0]])


def test_eager_dense_follows_set_weights():
    dense = layers.Dense(2)
    x = np.array([[1.0, 2.0, 3.0]], np.float32)
    first = dense(x)
    np.testing.assert_allclose(first, x @ dense.get_weights()[0], rtol=1e-5)  # bias starts at zero
    dense.set_weights([np.ones((3, 2), np.float32), np.array([10.0, 20.0], np.float32)])
    np.testing.assert_allclose(dense(x), [[16.0, 26.0]])
    dense.set_weights([np.full((3, 2), 2.0, np.float32), np.zeros(2, np.float32)])
    np.testing.assert_allclose(dense(x), [[12.0, 12.0]])
    # another batch size uses the same weights
    np.testing.assert_allclose(dense(np.ones((4, 3), np.float32)), np.full((4, 2), 6.0))


def test_eager_dense_follows_variable_assign():
    dense = layers.Dense(1, use_bias=False)
    x = np.ones((2, 2), np.float32)
    dense(x)
    dense.kernel.assign(np.array([[3.0], [4.0]], np.float32))
    np.testing.assert_allclose(dense(x), [[7.0], [7.0]])


def test_eager_layer_follows_training():
    dense = layers.Dense(1)
    model = keras.Sequential([keras.Input(shape=(3,)), dense])
    x = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
    before = dense(x)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.fit(x, np.ones((16, 1)), epochs=2, verbose=0)
    after = dense(x)
    assert not np.allclose(before, after)
    k, b = dense.get_weights()
    np.testing.assert_allclose(after, x @ k + b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(after, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_eager_custom_layer_with_ops():
    class Normalize(layers.Layer):
        def call(self, inputs):
            centered = ops.subtract(inputs, ops.mean(inputs, axis=-1, keepdims=True))
            return ops.divide(centered, ops.sqrt(ops.mean(ops.square(centered), axis=-1, keepdims=True)))

    out = Normalize()(X)
    c = X - X.mean(axis=-1, keepdims=True)
    np.testing.assert_allclose(out, c / np.sqrt((c ** 2).mean(axis=-1, keepdims=True)), rtol=1e-5, atol=1e-6)
