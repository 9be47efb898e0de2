"""`model.summary()`: the plain-text table of tf.keras 2.15."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np

_SEQUENTIAL_HEADER = ["Layer (type)", "Output Shape", "Param #"]
_FUNCTIONAL_HEADER = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
# A column is cut after the end of a tuple, list, dict or string when it is too long.
_LINE_BREAKS = ("),", "},", "],", "',")


def _unique(weights: Iterable) -> list:
    return list({id(w): w for w in weights}.values())


def count_params(weights: Iterable) -> int:
    """Number of scalars in `weights`, each weight counted once (unknown dims count 0)."""
    return int(sum(math.prod(0 if d is None else int(d) for d in w.shape) for w in _unique(weights)))


def weight_memory_size(weights: Iterable) -> int:
    """Bytes taken by `weights`, each counted once; weights with unknown dims are skipped."""
    total = 0
    for w in _unique(weights):
        if any(d is None for d in w.shape):
            continue
        total += math.prod(int(d) for d in w.shape) * np.dtype(w.dtype).itemsize
    return total


def readable_memory_size(size: float) -> str:
    """`27.79 KB`: powers of 1024, two decimals, `Byte` below 1 KB."""
    for unit in ("Byte", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _source_layer(connection: str) -> str:
    """`"dense[0][0]"` -> `"dense"`."""
    return connection.split("[", 1)[0]


def _connections(layers: Sequence) -> list[list[str]] | None:
    """Each layer's inbound connections, or None when the layers do not report them."""
    try:
        return [list(layer.inbound_layer_names()) for layer in layers]
    except AttributeError:
        return None


def _is_sequential_like(model, connections: list[list[str]] | None) -> bool:
    """A plain chain: one input, every layer fed by at most one layer, no layer feeding two.

    Models whose layers do not report connections (subclassed models) are shown as a sequence.
    """
    if type(model).__name__ == "Sequential" or connections is None:
        return True
    if any(len(inbound) > 1 for inbound in connections):
        return False
    if sum(1 for inbound in connections if not inbound) > 1:
        return False
    fan_out = Counter(_source_layer(c) for inbound in connections for c in inbound)
    return all(n <= 1 for n in fan_out.values())


def _format_row(fields: Sequence, positions: Sequence[int]) -> list[str]:
    """One table row as lines; a field too long for its column wraps onto further lines."""
    left = [str(f) for f in fields]
    last = len(positions) - 1
    lines = []
    while any(left):
        line = ""
        for col, text in enumerate(left):
            start = positions[col - 1] if col > 0 else 0
            gap = 2 if col != last else 0  # two spaces between columns, none after the last
            cutoff = positions[col] - start - gap
            if col != last:
                cutoff -= 1  # room for the leading space of the first column
            cutoff = max(cutoff, 1)
            piece = text[:cutoff]
            breaks = [piece.find(b) + len(b) for b in _LINE_BREAKS if piece.find(b) >= 0]
            if breaks:
                cutoff = min(breaks)
                piece = piece[:cutoff]
            if col == 0:
                line += " "
            line += piece + " " * gap
            left[col] = text[cutoff:]
            line += " " * (positions[col] - len(line))
        lines.append(line)
    return lines


def _output_shape(layer):
    try:
        return layer.output_shape
    except AttributeError:
        return "multiple"
    except RuntimeError:
        return "?"


def print_summary(
    model,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[[str], None] | None = None,
) -> None:
    """Prints a table of the model's layers, output shapes and parameter counts.

    The layout is tf.keras 2.15's. A model whose layers form one chain gets three
    columns (65 characters by default); a model with branches or merges gets a
    fourth, "Connected to", listing each layer's inputs as `layer[node][tensor]`
    (98 characters by default).

    Args:
        model: The model: it needs `name`, `layers`, `trainable_weights` and
            `non_trainable_weights`; each layer needs `name`, `output_shape`,
            `count_params()` and, for the "Connected to" column, `inbound_layer_names()`.
        line_length: Total width of the table, in characters.
        positions: Right edge of each column, as fractions of `line_length`
            (all <= 1) or as absolute character positions.
        print_fn: Called with each line; defaults to `print`.

    Example:

    ```python
    lines = []
    print_summary(model, print_fn=lines.append)
    print("\\n".join(lines))
    ```
    """
    print_fn = print_fn or print
    layers = list(model.layers)
    connections = _connections(layers)
    sequential_like = _is_sequential_like(model, connections)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        header = _SEQUENTIAL_HEADER
    else:
        line_length = line_length or 98
        positions = list(positions or [0.3, 0.6, 0.7, 1.0])
        header = _FUNCTIONAL_HEADER
    if len(positions) != len(header):
        raise ValueError(
            f"print_summary needs one position per column ({', '.join(header)}): "
            f"{len(header)} positions, but got {len(positions)}: {positions}."
        )
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    for line in _format_row(header, positions):
        print_fn(line)
    print_fn("=" * line_length)

    for i, layer in enumerate(layers):
        name = f"{layer.name} ({type(layer).__name__})"
        if sequential_like:
            params = layer.count_params() if getattr(layer, "built", True) else "0 (unused)"
            fields = [name, _output_shape(layer), params]
        else:
            fields = [name, _output_shape(layer), layer.count_params(), connections[i]]
        for line in _format_row(fields, positions):
            print_fn(line)
        print_fn(" " * line_length)
    print_fn("=" * line_length)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    trainable_count, non_trainable_count = count_params(trainable), count_params(non_trainable)
    trainable_size, non_trainable_size = weight_memory_size(trainable), weight_memory_size(non_trainable)
    total_size = trainable_size + non_trainable_size
    print_fn(f"Total params: {trainable_count + non_trainable_count} ({readable_memory_size(total_size)})")
    print_fn(f"Trainable params: {trainable_count} ({readable_memory_size(trainable_size)})")
    print_fn(f"Non-trainable params: {non_trainable_count} ({readable_memory_size(non_trainable_size)})")
    print_fn("_" * line_length)
