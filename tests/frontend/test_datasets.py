"""Bundled and local data sets: digits ships with horn; mnist reads a local copy, never downloads."""

import numpy as np
import pytest

import horn as keras


def test_digits_is_bundled_and_split():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    assert x_train.shape[1:] == (8, 8) and x_train.dtype == np.uint8
    assert len(x_train) + len(x_test) == 1797 and len(x_test) == 360
    assert set(np.unique(y_train)) == set(range(10)) and x_train.max() <= 16


def test_mnist_reads_a_local_copy(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8), "y_train": np.arange(5, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), "y_test": np.arange(2, dtype=np.uint8)}
    (tmp_path / "datasets").mkdir()
    np.savez(tmp_path / "datasets" / "mnist.npz", **arrays)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    (x2, _), _ = keras.datasets.mnist.load_data(path=str(tmp_path / "datasets" / "mnist.npz"))
    np.testing.assert_array_equal(x2, arrays["x_train"])


def test_mnist_without_a_copy_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="does not download.*horn.datasets.digits"):
        keras.datasets.mnist.load_data()
