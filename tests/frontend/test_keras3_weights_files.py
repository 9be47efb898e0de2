"""Keras 3's `.weights.h5` files (what its save_weights writes): load_weights reads them by
structure, and horn's save_weights writes that layout for a `.weights.h5` name."""

import os

import h5py
import numpy as np
import pytest

import horn as keras
from horn import layers

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "keras3_weights")


def _model():
    """The fixture's model (tests/data/keras3_weights/make_fixtures.py), built in horn."""
    inputs = keras.Input((5, 3))
    x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.GlobalAveragePooling1D()(x)
    head = keras.Sequential([layers.Dense(6, activation="relu"), layers.Dense(2)], name="head")
    return keras.Model(inputs, head(x))


def test_keras3_weights_file_loads():
    data = np.load(os.path.join(FIXTURES, "model.npz"))
    model = _model()
    model.load_weights(os.path.join(FIXTURES, "model.weights.h5"))
    np.testing.assert_allclose(model.predict(data["x0"], verbose=0), data["y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["w.weights.h5", "w.h5"])
def test_save_weights_round_trip(tmp_path, name):
    model, other = _model(), _model()
    model.set_weights([w * 1.5 + 0.1 for w in model.get_weights()])
    model.save_weights(tmp_path / name)
    with h5py.File(tmp_path / name, "r") as f:  # Keras 3's layout only for its own suffix
        assert ("layers" in f) == name.endswith(".weights.h5")
        assert ("layer_names" in f.attrs) != name.endswith(".weights.h5")
    other.load_weights(tmp_path / name)
    for got, want in zip(other.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_a_weights_file_of_another_model_says_where(tmp_path):
    model = _model()
    model.save_weights(tmp_path / "w.weights.h5")
    smaller = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4)])
    with pytest.raises(ValueError, match="lstm"):
        smaller.load_weights(tmp_path / "w.weights.h5")
