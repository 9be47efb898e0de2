"""examples/mnist_cnn.py (the classic Keras mnist_cnn on the bundled 8x8 digits) learns: a few
epochs reach >= 0.9 test accuracy, and the script prints the figure."""

import importlib.util
import os

import numpy as np
import pytest

import horn as keras

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "mnist_cnn.py")

pytestmark = pytest.mark.skipif(not (hasattr(keras.layers, "Conv2D") and hasattr(keras.layers, "MaxPooling2D")),
                                reason="Conv2D and MaxPooling2D are not in horn yet")


def load_example():
    spec = importlib.util.spec_from_file_location("mnist_cnn", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mnist_cnn_reaches_90_percent(capsys):
    accuracy = load_example().main(["--epochs", "5", "--verbose", "0"])
    assert accuracy >= 0.9
    out = capsys.readouterr().out
    assert f"Test accuracy: {accuracy:.4f}" in out


def test_architecture_is_the_classic_one():
    example = load_example()
    model = example.build()
    shapes = [layer.output_shape for layer in model.layers]
    assert shapes == [(None, 6, 6, 32), (None, 4, 4, 64), (None, 2, 2, 64), (None, 2, 2, 64), (None, 256),
                      (None, 128), (None, 128), (None, 10)]
    assert type(model.optimizer).__name__ == "Adadelta" and model.optimizer.learning_rate == 1.0
    (x, y), _ = example.load()
    assert x.shape[1:] == (8, 8, 1) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert y.shape[1:] == (10,)
