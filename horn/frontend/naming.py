"""Unique, Keras-style object names: dense, dense_1, dense_2, ..."""

import collections
import re

_counts = collections.Counter()


def to_snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    n = _counts[base]
    _counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def reset():
    """Start naming from scratch (keras.backend.clear_session)."""
    _counts.clear()
