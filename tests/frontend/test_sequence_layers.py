"""Embedding, Masking and RepeatVector: shapes, weights, configs, values and masks against numpy,
and training steps whose weight updates are checked against hand-derived gradients."""

import numpy as np
import pytest

import horn as keras
from horn import layers

RNG = np.random.default_rng(3)


def _roundtrip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    return clone


# -- Embedding ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int32", "int64", "float32"])
def test_embedding_looks_up_rows(dtype):
    layer = layers.Embedding(10, 3)
    ids = np.array([[1, 9, 0, 1], [4, 4, 4, 2]]).astype(dtype)
    out = layer(ids)
    table = layer.get_weights()[0]
    assert [w.name for w in layer.weights] == [f"{layer.name}/embeddings"]
    assert table.shape == (10, 3) and np.abs(table).max() <= 0.05  # 'uniform': U(-0.05, 0.05)
    np.testing.assert_array_equal(out, table[ids.astype(np.int64)])
    assert layer.compute_output_shape((None, 4)) == (None, 4, 3)


def test_embedding_mask_zero():
    layer = layers.Embedding(5, 2, mask_zero=True)
    ids = np.array([[3, 1, 0, 0], [2, 0, 4, 0]], np.int32)
    np.testing.assert_array_equal(layer.compute_mask(ids), ids != 0)
    assert layers.Embedding(5, 2).compute_mask(ids) is None


def test_embedding_validates_and_round_trips():
    with pytest.raises(ValueError, match=r"Embedding\(input_dim=...\) needs a positive integer"):
        layers.Embedding(0, 3)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(10, 2.5)
    layer = layers.Embedding(100, 8, mask_zero=True, embeddings_regularizer="l2", input_length=7)
    clone = _roundtrip(layer)
    assert clone.mask_zero and clone.input_dim == 100 and clone.output_dim == 8


def test_embedding_input_length_declares_an_int_input():
    """Keras 2's Sequential([Embedding(..., input_length=T), ...]) builds at once on (None, T)."""
    model = keras.Sequential([layers.Embedding(50, 4, input_length=6), layers.Flatten(), layers.Dense(1)])
    assert model.input_shape == (None, 6) and model.output_shape == (None, 1)
    assert np.dtype(model.inputs[0].dtype) == np.int32
    assert model.count_params() == 50 * 4 + 24 + 1


def test_embedding_sgd_step_matches_numpy():
    """Embedding -> Flatten -> Dense(1), MSE, one SGD step: repeated ids sum their gradients,
    ids that never occur keep their rows exactly."""
    vocab, dim, length, lr = 12, 3, 4, 0.1
    inp = keras.Input((length,), dtype="int32")
    emb = layers.Embedding(vocab, dim, embeddings_initializer="glorot_uniform")
    dense = layers.Dense(1)
    model = keras.Model(inp, dense(layers.Flatten()(emb(inp))))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    ids = np.array([[1, 2, 1, 1], [5, 2, 7, 5], [3, 3, 3, 3]], np.int32)
    y = RNG.standard_normal((3, 1)).astype(np.float32)
    table, (kernel, bias) = emb.get_weights()[0].astype(np.float64), dense.get_weights()
    flat = table[ids].reshape(3, -1)
    err = flat @ kernel + bias - y  # d mean((pred - y)^2) / d pred = 2 err / n
    d_pred = 2 * err / len(ids)
    d_rows = (d_pred @ kernel.T).reshape(3, length, dim)
    want = table.copy()
    np.add.at(want, ids.reshape(-1), -lr * d_rows.reshape(-1, dim))
    model.train_on_batch(ids, y)
    new = emb.get_weights()[0]
    np.testing.assert_allclose(new, want, rtol=1e-5, atol=1e-6)
    untouched = sorted(set(range(vocab)) - set(ids.reshape(-1)))
    np.testing.assert_array_equal(new[untouched], table[untouched].astype(np.float32))


def test_embedding_regularizer_adds_to_the_loss():
    inp = keras.Input((3,), dtype="int64")
    emb = layers.Embedding(6, 2, embeddings_regularizer=keras.regularizers.L2(0.5))
    model = keras.Model(inp, layers.Flatten()(emb(inp)))
    model.compile(optimizer="sgd", loss="mse")
    ids, y = np.array([[0, 1, 2]]), np.zeros((1, 6), np.float32)
    table = emb.get_weights()[0].astype(np.float64)
    want = np.mean(table[ids[0]].reshape(-1) ** 2) + 0.5 * np.sum(table ** 2)
    np.testing.assert_allclose(model.evaluate(ids, y, verbose=0), want, rtol=1e-5)


# -- Masking --------------------------------------------------------------------------------


@pytest.mark.parametrize("mask_value", [0.0, -1.0])
def test_masking_zeroes_padded_steps_and_emits_the_mask(mask_value):
    x = RNG.standard_normal((2, 5, 3)).astype(np.float32)
    x[0, 3:] = mask_value
    x[1, 0] = mask_value
    x[1, 2, 1] = mask_value  # one feature equal to mask_value does not mask the step
    layer = layers.Masking(mask_value=mask_value)
    keep = np.any(x != mask_value, axis=-1)
    np.testing.assert_array_equal(layer(x), x * keep[..., None])
    np.testing.assert_array_equal(layer.compute_mask(x), keep)
    assert _roundtrip(layer).mask_value == mask_value
    with pytest.raises(TypeError, match="mask_value"):
        layers.Masking(mask_value="pad")


# -- RepeatVector ---------------------------------------------------------------------------


def test_repeat_vector_values_shape_and_config():
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    layer = layers.RepeatVector(4)
    np.testing.assert_array_equal(layer(x), np.repeat(x[:, None, :], 4, axis=1))
    assert layer.compute_output_shape((None, 3)) == (None, 4, 3)
    inp = keras.Input((3,))
    assert keras.Model(inp, layer(inp)).output_shape == (None, 4, 3)
    assert _roundtrip(layer).n == 4
    with pytest.raises(ValueError, match="RepeatVector"):
        layers.RepeatVector(0)
    with pytest.raises(ValueError, match="expected ndim=2"):
        layers.RepeatVector(2)(keras.Input((3, 4)))


def test_repeat_vector_gradient_sums_the_copies():
    """Dense(2, no bias) -> RepeatVector(3) -> Flatten, MSE: d kernel = x^T (sum over copies)."""
    lr = 0.05
    inp = keras.Input((4,))
    dense = layers.Dense(2, use_bias=False)
    model = keras.Model(inp, layers.Flatten()(layers.RepeatVector(3)(dense(inp))))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    y = RNG.standard_normal((5, 6)).astype(np.float32)
    (kernel,) = [w.astype(np.float64) for w in dense.get_weights()]
    pred = np.tile(x @ kernel, (1, 3))
    d_pred = 2 * (pred - y) / y.size
    d_h = d_pred.reshape(5, 3, 2).sum(axis=1)
    model.train_on_batch(x, y)
    np.testing.assert_allclose(dense.get_weights()[0], kernel - lr * x.T @ d_h, rtol=1e-5, atol=1e-6)


def test_embedding_constraint_applies_after_each_step():
    inp = keras.Input((3,), dtype="int32")
    emb = layers.Embedding(8, 2, embeddings_constraint="non_neg", embeddings_initializer="ones")
    model = keras.Model(inp, layers.Flatten()(emb(inp)))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=10.0), loss="mse")
    model.train_on_batch(np.array([[1, 2, 3]]), np.full((1, 6), -5.0, np.float32))
    table = emb.get_weights()[0]
    assert table.min() == 0.0 and (table[[1, 2, 3]] == 0).all() and (table[[0, 4]] == 1).all()
    assert _roundtrip(emb).get_config()["embeddings_constraint"]["class_name"] == "NonNeg"
