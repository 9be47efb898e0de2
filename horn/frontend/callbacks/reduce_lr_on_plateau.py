"""`ReduceLROnPlateau`: lower the learning rate when a metric stops improving."""

from __future__ import annotations

import sys

import numpy as np

from .callback import Callback
from .monitor import monitor_value, read_learning_rate, resolve_mode


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` after `patience` epochs without improvement.

    Reads and writes `model.optimizer.learning_rate` (a float) and adds the
    current rate to the epoch logs as `"learning_rate"`.

    Args:
        monitor: Name of the log to watch.
        factor: New rate = rate * factor; must be below 1.
        patience: Epochs without improvement after which the rate is reduced.
        verbose: 1 prints a line each time the rate is reduced.
        mode: `"min"`, `"max"`, or `"auto"` (maximise accuracy-like names, minimise the rest).
        min_delta: Smallest change that counts as an improvement.
        cooldown: Epochs to wait after a reduction before counting again.
        min_lr: The rate is never reduced below this.

    Example:

    ```python
    reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=1e-4)
    model.fit(x, y, validation_split=0.2, callbacks=[reduce_lr])
    ```
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ):
        super().__init__()
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau needs factor < 1.0 (new_lr = lr * factor), but got factor={factor}."
            )
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = resolve_mode("ReduceLROnPlateau", mode, monitor)
        self.min_delta = min_delta
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self) -> None:
        self.best = float("inf") if self.mode == "min" else -float("inf")
        self.wait = 0
        self.cooldown_counter = 0

    def _is_improvement(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        old_lr = read_learning_rate("ReduceLROnPlateau", self.model)
        if logs is not None:
            logs["learning_rate"] = old_lr
        current = monitor_value("Learning rate reduction", self.monitor, logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_lr
            if self.verbose > 0:
                sys.stdout.write(
                    f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.\n"
                )
                sys.stdout.flush()
            self.cooldown_counter = self.cooldown
            self.wait = 0
