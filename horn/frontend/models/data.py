"""Turning what users pass to fit/evaluate/predict into checked numpy arrays."""

import numpy as np


def _as_list(data, names, what, method):
    if data is None:
        return None
    if isinstance(data, dict):
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"{method}() got {what} as a dict without the key(s) {missing}; "
                             f"the model's {what} names are {names}")
        return [data[n] for n in names]
    if isinstance(data, (list, tuple)) and len(names) > 1:
        if len(data) != len(names):
            raise ValueError(f"{method}() expected {len(names)} arrays for {what} {names}, got {len(data)}")
        return list(data)
    if isinstance(data, (list, tuple)) and len(data) == 1 and hasattr(data[0], "shape"):
        return [data[0]]  # a list holding the one input's array
    return [data]


def match_target_ranks(ys, output_shapes):
    """Keras's rule: targets of shape (n,) for an output of shape (n, 1) gain the last axis
    (otherwise the loss would broadcast them to (n, n))."""
    return [y[..., None] if y.ndim == len(shape) - 1 and shape[-1] == 1 else y
            for y, shape in zip(ys, output_shapes)]


def to_arrays(data, names, dtypes, what, method):
    """Numeric, contiguous arrays of the given dtypes; a clear error for anything else."""
    arrays = _as_list(data, names, what, method)
    if arrays is None:
        return None
    out = []
    for a, name, dtype in zip(arrays, names, dtypes):
        try:
            arr = np.asarray(a)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{method}() could not read {what} '{name}' as an array: {e}") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{method}() expected numeric {what} for '{name}' (numbers, as a numpy array), "
                            f"but got an array of dtype {arr.dtype}"
                            + (f" such as {arr.reshape(-1)[0]!r}" if arr.size else ""))
        if arr.ndim == 0:
            raise ValueError(f"{method}() expected {what} '{name}' to have a batch axis, got a scalar")
        out.append(np.ascontiguousarray(arr, dtype=dtype))
    return out


def check_cardinality(xs, ys, method):
    sizes = {len(a) for a in xs + (ys or [])}
    if len(sizes) > 1:
        msg = f"x sizes: {', '.join(str(len(a)) for a in xs)}"
        if ys:
            msg += f"; y sizes: {', '.join(str(len(a)) for a in ys)}"
        raise ValueError(f"{method}(): data cardinality is ambiguous: {msg}. Make sure all arrays "
                         "contain the same number of samples.")
    return sizes.pop()


def split_validation(xs, ys, fraction):
    """Keras takes the *last* fraction of the samples, before shuffling."""
    if not 0 < fraction < 1:
        raise ValueError(f"validation_split must be in (0, 1), got {fraction}")
    n = len(xs[0])
    cut = int(n * (1 - fraction))
    if cut == 0 or cut == n:
        raise ValueError(f"validation_split={fraction} leaves no samples for training or validation "
                         f"out of {n}")
    return [a[:cut] for a in xs], [a[:cut] for a in ys], [a[cut:] for a in xs], [a[cut:] for a in ys]
