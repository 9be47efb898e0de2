"""Argument forms shared by the padding and cropping layers, and their shape arithmetic."""

import numbers


def _int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def standardize_pairs(value, rank, name, who, what):
    """Keras's forms of `padding`/`cropping` -> one (before, after) pair per spatial axis:
    an int (the same on every side), `rank` ints (symmetric per axis), or `rank` pairs; for
    rank 1 also a single (before, after) pair."""
    error = ValueError(f"{who}: `{name}` must be an int, a tuple of {rank} ints (symmetric {what} per axis) "
                       f"or a tuple of {rank} tuples of 2 ints ((before, after) per axis), got {name}={value!r}")
    if rank == 1:
        error = ValueError(f"{who}: `{name}` must be an int or a tuple of 2 ints (before, after), "
                           f"got {name}={value!r}")
    if _int(value):
        pairs = [(int(value), int(value))] * rank
    elif isinstance(value, (tuple, list)) and rank == 1:
        if len(value) != 2 or not all(_int(v) for v in value):
            raise error
        pairs = [(int(value[0]), int(value[1]))]
    elif isinstance(value, (tuple, list)) and len(value) == rank:
        pairs = []
        for v in value:
            if _int(v):
                pairs.append((int(v), int(v)))
            elif isinstance(v, (tuple, list)) and len(v) == 2 and all(_int(a) for a in v):
                pairs.append((int(v[0]), int(v[1])))
            else:
                raise error
    else:
        raise error
    if any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError(f"{who}: `{name}` cannot be negative, got {name}={value!r}")
    return tuple(pairs)


def spatial_axes(rank, data_format):
    first = 1 if data_format == "channels_last" else 2
    return list(range(first, first + rank))
