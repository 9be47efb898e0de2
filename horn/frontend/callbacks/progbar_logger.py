"""`ProgbarLogger`: prints `Epoch 1/5` and a progress bar per epoch, as Keras 3 does."""

from __future__ import annotations

import sys

from ..utils.progbar import Progbar
from .callback import Callback


class ProgbarLogger(Callback):
    """Prints training (or evaluation, or prediction) progress to stdout.

    `fit`, `evaluate` and `predict` add one when `verbose != 0`. It reads
    `params["verbose"]` (1: a progress bar, 2: one line per epoch; `"auto"`
    means 1), `params["epochs"]` and `params["steps"]` (steps per epoch, or
    None when unknown). Batch logs are read only when a line is drawn.
    During `fit`, validation runs silently and its metrics show up in the
    epoch's final line.

    Args:
        count_mode: Only `"steps"` is supported (Keras 3 counts steps).

    Example:

    ```python
    model.fit(x, y, epochs=5, verbose=1)
    # Epoch 1/5
    # 57/57 ━━━━━━━━━━━━━━━━━━━━ 1s 5ms/step - accuracy: 0.8750 - loss: 0.4230
    ```
    """

    def __init__(self, count_mode: str = "steps"):
        super().__init__()
        if count_mode != "steps":
            raise ValueError(
                f"ProgbarLogger only supports count_mode='steps' (Keras 3 counts steps), "
                f"but got count_mode={count_mode!r}."
            )
        self.seen = 0
        self.progbar = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._called_in_fit = False
        self._batch_logs = None

    def set_params(self, params):
        super().set_params(params)
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def on_train_begin(self, logs=None):
        # Inside fit, validation is silent.
        self._called_in_fit = True

    def on_train_end(self, logs=None):
        self._called_in_fit = False

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        if self.verbose and self.epochs > 1:
            sys.stdout.write(f"Epoch {epoch + 1}/{self.epochs}\n")
            sys.stdout.flush()

    def on_train_batch_end(self, batch, logs=None):
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._update_progbar(batch, None)  # predictions are not metrics

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(None)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step")

    def _sorted_batch_items(self):
        return sorted(self._batch_logs.items(), key=lambda kv: kv[0])

    def _update_progbar(self, batch, logs) -> None:
        if self.progbar is None:
            self._reset_progbar()
        self.seen = batch + 1  # one-based
        if self.verbose != 1:
            return
        if logs is not None:
            # Lazy: the progress bar calls this only when it draws a line.
            self._batch_logs = logs
            self.progbar.update(self.seen, self._sorted_batch_items, finalize=False)
        else:
            self.progbar.update(self.seen, None, finalize=False)

    def _finalize_progbar(self, logs) -> None:
        if self.progbar is None:
            self._reset_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
        self._batch_logs = None
