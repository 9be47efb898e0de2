"""`History`: the record of epoch logs that `fit` returns."""

from __future__ import annotations

from .callback import Callback


class History(Callback):
    """Records the logs of every epoch; `fit` returns it and stores it as `model.history`.

    Attributes:
        history: Dict from log name (`"loss"`, `"val_accuracy"`, ...) to the
            list of its values, one per epoch.
        epoch: The list of epoch indices recorded (0-based).

    Example:

    ```python
    history = model.fit(x, y, epochs=3)
    history.history["loss"]  # [0.71, 0.52, 0.43]
    ```
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            self.model.history = self
