"""Constraints: Keras's formulas on numpy, by name, and applied after each training step."""

import numpy as np
import pytest

import horn as keras

EPS = 1e-7
W = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32) * 3


def _norms(w, axis):
    return np.sqrt((w.astype(np.float64) ** 2).sum(axis=axis, keepdims=True))


@pytest.mark.parametrize("constraint, reference", [
    (keras.constraints.MaxNorm(2.0), lambda w: w * np.clip(_norms(w, 0), 0, 2.0) / (_norms(w, 0) + EPS)),
    (keras.constraints.MaxNorm(1.0, axis=1), lambda w: w * np.clip(_norms(w, 1), 0, 1.0) / (_norms(w, 1) + EPS)),
    (keras.constraints.NonNeg(), lambda w: w * (w >= 0)),
    (keras.constraints.UnitNorm(), lambda w: w / (_norms(w, 0) + EPS)),
    (keras.constraints.MinMaxNorm(0.5, 1.5, rate=0.5),
     lambda w: w * (0.5 * np.clip(_norms(w, 0), 0.5, 1.5) + 0.5 * _norms(w, 0)) / (_norms(w, 0) + EPS)),
], ids=["MaxNorm", "MaxNorm-axis1", "NonNeg", "UnitNorm", "MinMaxNorm"])
def test_constraint_matches_keras_formula(constraint, reference):
    np.testing.assert_allclose(constraint(W), reference(W), rtol=1e-5, atol=1e-6)


def test_constraints_by_name_and_config():
    assert isinstance(keras.constraints.get("max_norm"), keras.constraints.MaxNorm)
    assert isinstance(keras.constraints.get("nonneg"), keras.constraints.NonNeg)
    c = keras.constraints.get({"class_name": "MaxNorm", "config": {"max_value": 3, "axis": 1}})
    assert (c.max_value, c.axis) == (3, 1)
    with pytest.raises(ValueError, match="Did you mean 'max_norm'"):
        keras.constraints.get("max_nrom")


def test_dense_constraints_hold_after_training_and_survive_config():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        4, kernel_constraint=keras.constraints.MaxNorm(0.5), bias_constraint="non_neg")])
    model.compile(keras.optimizers.SGD(learning_rate=1.0), "mse")
    x = np.random.default_rng(1).random((8, 3), dtype=np.float32) * 10
    model.fit(x, np.full((8, 4), -20.0, np.float32), epochs=3, verbose=0)  # pulls weights far negative
    kernel, bias = model.get_weights()
    assert _norms(kernel, 0).max() <= 0.5 + 1e-5
    assert bias.min() >= 0.0
    clone = keras.layers.Dense.from_config(model.layers[0].get_config())
    assert clone.kernel_constraint.max_value == 0.5 and isinstance(clone.bias_constraint, keras.constraints.NonNeg)
