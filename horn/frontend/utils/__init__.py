"""Utilities: to_categorical, normalize, pad_sequences, Progbar, PyDataset/Sequence, custom-object scopes,
set_random_seed."""

import numpy as np

from ..initializers import set_random_seed  # noqa: F401  (keras.utils.set_random_seed)
from ..registry import CustomObjectScope, custom_object_scope, get_custom_objects
from .plot import model_to_dot, plot_model
from .progbar import Progbar
from .py_dataset import PyDataset, Sequence
from .sequences import pad_sequences


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encode integer class labels: shape (n,) or (n, 1) -> (n, num_classes).

    Example: to_categorical([0, 2], 3) -> [[1, 0, 0], [0, 0, 1]].
    """
    y = np.asarray(y)
    if y.dtype.kind not in "biu" and not (y.dtype.kind == "f" and np.all(np.mod(y, 1) == 0)):
        raise TypeError(f"to_categorical() needs integer class labels, got dtype {y.dtype}")
    y = y.astype(np.int64)
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical() got a negative class label {y.min()}")
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    elif y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical() got label {y.max()} but num_classes={num_classes}")
    out = np.zeros((y.size, num_classes), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """x divided by its `order`-norm along `axis` (zeros stay zeros)."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


__all__ = ["CustomObjectScope", "Progbar", "PyDataset", "Sequence", "custom_object_scope", "get_custom_objects",
           "model_to_dot", "normalize", "pad_sequences", "plot_model", "set_random_seed", "to_categorical"]
