"""`LearningRateScheduler`: set the learning rate from a function of the epoch."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable

import numpy as np

from .callback import Callback
from .monitor import read_learning_rate


def _takes_two_arguments(schedule: Callable) -> bool:
    """Whether `schedule` accepts (epoch, lr) — Keras 2.2's schedules take only (epoch)."""
    try:
        params = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


class LearningRateScheduler(Callback):
    """At the start of each epoch, sets `model.optimizer.learning_rate = schedule(epoch, lr)`.

    Args:
        schedule: A function `(epoch, lr) -> new_lr` (0-based epoch, current rate
            as a float); a function of `epoch` alone is accepted too.
        verbose: 1 prints the new rate each epoch.

    Example:

    ```python
    def schedule(epoch, lr):
        return lr if epoch < 10 else lr * 0.9

    model.fit(x, y, epochs=15, callbacks=[LearningRateScheduler(schedule)])
    ```
    """

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler needs a callable schedule, but got {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose
        self._two_arguments = _takes_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        current = read_learning_rate("LearningRateScheduler", self.model)
        if self._two_arguments:
            learning_rate = self.schedule(epoch, current)
        else:
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, int, np.floating, np.integer)) or isinstance(
            learning_rate, bool
        ):
            raise TypeError(
                f"The schedule given to LearningRateScheduler must return a float, "
                f"but for epoch {epoch} it returned {learning_rate!r}."
            )
        self.model.optimizer.learning_rate = float(learning_rate)
        if self.verbose > 0:
            sys.stdout.write(
                f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(learning_rate)}.\n"
            )
            sys.stdout.flush()

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = read_learning_rate("LearningRateScheduler", self.model)
