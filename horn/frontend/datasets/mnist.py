"""MNIST from a local copy of Keras's `mnist.npz` (horn never downloads).

`load_data()` reads `path` if given, else `~/.keras/datasets/mnist.npz` (where Keras keeps its
download, `$KERAS_HOME/datasets/mnist.npz` if that is set). Without a copy it says so and
points at horn's bundled `horn.datasets.digits`.
"""

import os

import numpy as np


def _default_path():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "datasets", "mnist.npz")


def load_data(path="mnist.npz"):
    """(x_train, y_train), (x_test, y_test) as Keras returns them: uint8 (n, 28, 28), uint8 (n,)."""
    candidates = [path] if os.path.isabs(str(path)) or os.path.exists(str(path)) else [_default_path()]
    for candidate in candidates:
        if os.path.exists(candidate):
            with np.load(candidate, allow_pickle=False) as f:
                missing = {"x_train", "y_train", "x_test", "y_test"} - set(f.files)
                if missing:
                    raise ValueError(f"{candidate!r} is not Keras's mnist.npz: it lacks {sorted(missing)}")
                return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    raise FileNotFoundError(
        f"No local copy of MNIST at {candidates[0]!r}: horn does not download data sets. Put Keras's "
        "mnist.npz there (or pass load_data(path=...)), or use the bundled horn.datasets.digits "
        "(8x8 handwritten digits, the same task at a smaller size).")
