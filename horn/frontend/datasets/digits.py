"""UCI handwritten digits (8x8 grayscale, 0-16), as shipped with scikit-learn; CC BY 4.0.

E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine Learning
Repository. 1,797 images of the digits 0-9.
"""

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "digits.npz")


def load_data(test_split=0.2, seed=113):
    """(x_train, y_train), (x_test, y_test): uint8 images (n, 8, 8) and uint8 labels (n,),
    shuffled with `seed` and split with the last `test_split` fraction for testing."""
    with np.load(_PATH) as f:
        x, y = f["x"], f["y"]
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])
