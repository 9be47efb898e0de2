"""Helpers the monitoring callbacks share: a monitored value, its direction, the learning rate."""

from __future__ import annotations

import warnings

# Metric names (after any `val_` prefix) that get better as they grow; everything else
# (losses, errors) is minimised, as Keras's mode="auto" decides.
_MAXIMIZED_SUFFIXES = (
    "acc",
    "accuracy",
    "auc",
    "precision",
    "recall",
    "f1_score",
    "fbeta_score",
    "r2_score",
    "iou",
)


def resolve_mode(owner: str, mode: str, monitor: str) -> str:
    """'min' or 'max' for `mode`; 'auto' picks 'max' for accuracy-like names, else 'min'."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode {mode!r} is unknown, falling back to 'auto'.", stacklevel=3)
        mode = "auto"
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    return "max" if name.endswith(_MAXIMIZED_SUFFIXES) else "min"


def monitor_value(owner: str, monitor: str, logs) -> float | None:
    """The monitored value from epoch logs, or None (with a warning naming what is there)."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        warnings.warn(
            f"{owner} is conditioned on metric '{monitor}', which is not available. "
            f"Available metrics are: {', '.join(logs)}.",
            stacklevel=3,
        )
        return None
    return float(value)


def read_learning_rate(owner: str, model) -> float:
    """`model.optimizer.learning_rate` as a float; a schedule cannot be read or set by a callback."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"{owner} needs model.optimizer.learning_rate; compile the model with an optimizer first."
        )
    learning_rate = optimizer.learning_rate
    if callable(learning_rate):
        raise TypeError(
            f"{owner} sets the learning rate, but the optimizer was created with a schedule "
            f"({type(learning_rate).__name__}). Pass a float learning_rate to the optimizer, "
            "or use only the schedule."
        )
    return float(learning_rate)
