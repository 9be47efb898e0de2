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


def sample_weights(sample_weight, class_weight, ys, names, n, method):
    """Per-output sample weights (float32 arrays of shape (n,) or (n, steps)), or [] for none.

    class_weight {class: weight} gives each sample the weight of its class (the argmax of a
    one-hot target, or the integer label), multiplied into any sample_weight, as Keras does."""
    if sample_weight is None and class_weight is None:
        return []
    if isinstance(sample_weight, dict):
        per = [sample_weight.get(name) for name in names]
    elif isinstance(sample_weight, (list, tuple)) and len(names) > 1:
        per = list(sample_weight)
    else:
        per = [sample_weight] + [None] * (len(names) - 1)
    out = []
    for i, (w, y) in enumerate(zip(per, ys)):
        if w is not None:
            w = np.asarray(w, np.float32)
            if w.ndim == 0 or len(w) != n:
                raise ValueError(f"{method}(): sample_weight for output '{names[i]}' must have one value per "
                                 f"sample ({n}), got shape {w.shape}")
        if class_weight is not None and i == 0:
            labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
            labels = labels.astype(np.int64)
            unknown = sorted(set(np.unique(labels).tolist()) - set(int(k) for k in class_weight))
            if unknown:
                raise ValueError(f"{method}(): class_weight has no weight for class(es) {unknown}")
            table = np.zeros(max(int(k) for k in class_weight) + 1, np.float32)
            for k, v in class_weight.items():
                table[int(k)] = v
            cw = table[labels]
            w = cw if w is None else w * cw.reshape(cw.shape + (1,) * (w.ndim - 1))
        out.append(None if w is None else np.ascontiguousarray(w, np.float32))
    return out
