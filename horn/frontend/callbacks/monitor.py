"""What `EarlyStopping` and `ReduceLROnPlateau` share: reading a monitored value and its direction."""

from __future__ import annotations

import warnings

# Metric names (after any `val_` prefix) that get better as they grow; everything else
# (losses, errors) is minimised, as Keras's mode="auto" decides.
_MAXIMIZED_SUFFIXES = (
    "acc", "accuracy", "auc", "precision", "recall", "f1_score", "fbeta_score", "r2_score", "iou",
)


def resolve_mode(owner: str, mode: str, monitor: str) -> str:
    """'min' or 'max' for `mode`; 'auto' picks 'max' for accuracy-like names, else 'min'."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode {mode!r} is unknown, falling back to 'auto'.", stacklevel=3)
        mode = "auto"
    if mode != "auto":
        return mode
    name = monitor[len("val_"):] if monitor.startswith("val_") else monitor
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
