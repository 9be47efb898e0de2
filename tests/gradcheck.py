"""Central finite differences, the reference every gradient test compares horn's against."""

import numpy as np


def central_differences(f, arrays, eps=1e-6):
    """d f / d arrays[i] for each i, one element at a time: (f(a + eps) - f(a - eps)) / 2 eps,
    where f takes the list of arrays and returns a float."""
    grads = []
    for i, a in enumerate(arrays):
        d = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            d[idx] = (f(plus) - f(minus)) / (2 * eps)
        grads.append(d)
    return grads
