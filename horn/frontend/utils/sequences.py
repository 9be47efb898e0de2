"""pad_sequences: lists of sequences of different lengths as one array (Keras's
keras.utils.pad_sequences, keras.preprocessing.sequence.pad_sequences in Keras 2)."""

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """A (len(sequences), maxlen, ...) array: each sequence cut to its last (truncating='pre') or
    first ('post') maxlen steps and filled with `value` before ('pre') or after ('post') it.

    Args:
        sequences: a list of sequences (lists or arrays of steps; a step may itself be an array,
            the same shape in every sequence).
        maxlen: the length of the output's time axis; by default the longest sequence's.
        dtype: the output's dtype ('int32' by default, as in Keras: pass 'float32' for floats).
        padding, truncating: 'pre' or 'post'.
        value: the filler.

    Example: pad_sequences([[1, 2, 3], [4]], maxlen=2) -> [[2, 3], [0, 4]].
    """
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences(padding=...) must be "pre" or "post", got {padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences(truncating=...) must be "pre" or "post", got {truncating!r}')
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"pad_sequences needs a list of sequences, got {type(sequences).__name__}")
    lengths = []
    for k, s in enumerate(sequences):
        if not hasattr(s, "__len__"):
            raise ValueError(f"pad_sequences needs every entry to be a sequence; entry {k} is {s!r}")
        lengths.append(len(s))
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"pad_sequences(maxlen=...) must be None or an integer >= 0, got {maxlen!r}")
    step_shape = next((np.asarray(s).shape[1:] for s in sequences if len(s)), ())
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.issubdtype(np.dtype(dtype), np.object_)
    if isinstance(value, str) and not is_text:
        raise ValueError(f"pad_sequences: dtype {dtype!r} cannot hold the string filler value={value!r}; "
                         "pass dtype=object")
    out = np.full((len(lengths), int(maxlen)) + step_shape, value, dtype=dtype)
    for k, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != step_shape:
            raise ValueError(f"pad_sequences: sequence {k} has steps of shape {kept.shape[1:]}, the first "
                             f"non-empty one {step_shape}: every step must have the same shape")
        if padding == "post":
            out[k, :len(kept)] = kept
        else:
            out[k, -len(kept):] = kept
    return out
