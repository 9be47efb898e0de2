"""`EarlyStopping`: stop `fit` once a monitored metric stops improving."""

from __future__ import annotations

import sys

from .callback import Callback
from .monitor import monitor_value, resolve_mode


class EarlyStopping(Callback):
    """Stops training when a monitored metric has stopped improving.

    At the end of every epoch the monitored value is compared with the best so
    far; it improves when it beats the best by more than `min_delta`. After
    `patience` epochs without improvement, `model.stop_training` is set and
    `fit` ends after the current epoch.

    Args:
        monitor: Name of the log to watch, e.g. `"val_loss"` or `"accuracy"`.
        min_delta: Smallest change that counts as an improvement (absolute value used).
        patience: Epochs without improvement after which training stops.
        verbose: 1 prints a line when training is stopped or weights are restored.
        mode: `"min"`, `"max"`, or `"auto"` (maximise accuracy-like names, minimise the rest).
        baseline: A value to reach; until the metric beats it, `wait` keeps counting.
        restore_best_weights: At the end of training, put back the weights of the
            best epoch (read with `model.get_weights()`, written with `set_weights()`).
        start_from_epoch: Epochs to let pass before monitoring starts (warm-up).

    Example:

    ```python
    stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    ```
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ):
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = resolve_mode("EarlyStopping", mode, monitor)
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = float("inf") if self.mode == "min" else -float("inf")
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value: float, reference: float) -> bool:
        if self.mode == "min":
            return value + self.min_delta < reference
        return value - self.min_delta > reference

    def on_train_begin(self, logs=None):
        self._reset()  # the same instance may be reused by several fit() calls

    def on_epoch_end(self, epoch, logs=None):
        current = monitor_value("Early stopping", self.monitor, logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first monitored epoch is the best one.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only restart the count when the baseline is beaten too.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            _print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                _print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


def _print(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()
