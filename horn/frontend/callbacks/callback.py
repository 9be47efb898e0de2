"""The `Callback` base class: hooks that `fit`, `evaluate` and `predict` call."""

from __future__ import annotations

from collections.abc import Callable, Mapping


def default(method: Callable) -> Callable:
    """Marks a hook as the base class's no-op, so that `CallbackList` can skip it per batch."""
    method._is_default = True
    return method


def is_default(method) -> bool:
    """Whether `method` is a hook nobody overrode (an instance attribute counts as overriding)."""
    return getattr(method, "_is_default", False)


class Callback:
    """Base class for objects that hook into training, evaluation and prediction.

    Subclasses override the hooks they need. `model` is the model being trained
    (set by `set_model`) and `params` holds what the loop passed to `set_params`:
    `verbose`, `epochs` and `steps` (steps per epoch, or None if unknown).

    `logs` are dicts of metric values. Epoch-level hooks get plain floats; the
    batch-level hooks may get a lazy mapping whose values are read from the
    device only when looked up, so a batch hook should read only what it needs.

    The training batch hooks call the Keras 2 names `on_batch_begin` and
    `on_batch_end` by default, so callbacks written for Keras 2 keep working.

    Example:

    ```python
    class PrintLoss(Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
    ```
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self.model = model

    # Keras 2 names of the training batch hooks.
    @default
    def on_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Alias of `on_train_batch_begin`, kept for Keras 2 callbacks."""

    @default
    def on_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Alias of `on_train_batch_end`, kept for Keras 2 callbacks."""

    @default
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of epoch `epoch` (0-based) of `fit`."""

    @default
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch with its training and validation metrics."""

    @default
    def on_train_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Called before training step `batch` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs)

    @default
    def on_train_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Called after a training step, with the running averages of the metrics."""
        self.on_batch_end(batch, logs)

    @default
    def on_test_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Called before an evaluation step (also during `fit`'s validation)."""

    @default
    def on_test_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Called after an evaluation step, with the running averages of the metrics."""

    @default
    def on_predict_batch_begin(self, batch: int, logs: Mapping | None = None) -> None:
        """Called before a prediction step."""

    @default
    def on_predict_batch_end(self, batch: int, logs: Mapping | None = None) -> None:
        """Called after a prediction step; `logs` holds the step's `outputs`."""

    @default
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once at the start of `fit`."""

    @default
    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once at the end of `fit`, with the last epoch's logs."""

    @default
    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` or of `fit`'s validation."""

    @default
    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of an evaluation, with its metrics."""

    @default
    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    @default
    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""
