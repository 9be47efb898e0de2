"""`CallbackList`: one object that forwards every hook to a list of callbacks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .callback import Callback, is_default
from .history import History
from .progbar_logger import ProgbarLogger

_BATCH_HOOKS = {
    # hook -> the Keras 2 alias that the base class's hook calls
    "on_train_batch_begin": "on_batch_begin",
    "on_train_batch_end": "on_batch_end",
    "on_test_batch_begin": None,
    "on_test_batch_end": None,
    "on_predict_batch_begin": None,
    "on_predict_batch_end": None,
}


def _to_python(value):
    """A 0-d array or numpy scalar becomes a float; anything else is kept."""
    if isinstance(value, (float, int, str)):
        return value
    if isinstance(value, np.generic) or getattr(value, "ndim", None) == 0:
        try:
            return float(value)
        except (TypeError, ValueError):
            return value
    return value


def _normalize_logs(logs: Mapping | None) -> dict:
    """Epoch-level logs as Keras 3 hands them out: a dict, keys sorted, scalars as floats.

    A dict is normalised in place, so the caller sees the keys callbacks add
    (`learning_rate`); any other mapping is read once into a new dict.
    """
    if logs is None:
        return {}
    items = sorted(((k, _to_python(v)) for k, v in logs.items()), key=lambda kv: kv[0])
    if isinstance(logs, dict):
        logs.clear()
        logs.update(items)
        return logs
    return dict(items)


class CallbackList(Callback):
    """Forwards each hook to every callback in a list, in order.

    The training loop drives one `CallbackList`. Epoch and begin/end logs are
    normalised once (see `_normalize_logs`). Batch logs are passed through
    untouched, and a batch hook is only forwarded to the callbacks that
    override it, so a quiet batch costs one loop over a short list.

    Args:
        callbacks: A list of `Callback` instances, or None.
        add_history: Append a `History` if the list has none.
        add_progbar: Append a `ProgbarLogger` if the list has none.
        model: The model; each callback's `set_model` is called with it, and
            `model.history` is set to the `History` callback.
        **params: Passed to each callback's `set_params`: `verbose`, `epochs`, `steps`.

    Example:

    ```python
    callbacks = CallbackList(user_callbacks, add_history=True, add_progbar=verbose != 0,
                             model=model, verbose=verbose, epochs=epochs, steps=steps)
    callbacks.on_train_begin()
    ```
    """

    def __init__(
        self,
        callbacks: Iterable[Callback] | None = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model=None,
        **params,
    ):
        super().__init__()
        self.callbacks = []
        for callback in callbacks or ():
            self._check(callback)
            self.callbacks.append(callback)
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if add_history and self._history is None:
            self._history = History()
            self.callbacks.append(self._history)
        if add_progbar and self._progbar is None:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self._refresh_batch_targets()
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    @staticmethod
    def _check(callback) -> None:
        if isinstance(callback, Callback):
            return
        if isinstance(callback, type) and issubclass(callback, Callback):
            raise TypeError(
                f"callbacks must hold Callback instances, but got the class {callback.__name__}. "
                f"Create one first: {callback.__name__}(...)."
            )
        raise TypeError(
            f"callbacks must hold Callback instances, but got {callback!r} of type "
            f"{type(callback).__name__}. Subclass horn.callbacks.Callback, or wrap a function "
            "in LambdaCallback(on_epoch_end=...)."
        )

    def _refresh_batch_targets(self) -> None:
        self._targets = {}
        for hook, alias in _BATCH_HOOKS.items():
            self._targets[hook] = [
                c
                for c in self.callbacks
                if not (is_default(getattr(c, hook)) and (alias is None or is_default(getattr(c, alias))))
            ]

    def append(self, callback: Callback) -> None:
        self._check(callback)
        self.callbacks.append(callback)
        if isinstance(callback, History) and self._history is None:
            self._history = callback
            if self.model is not None:
                self.model.history = callback
        self._refresh_batch_targets()
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)

    def __iter__(self):
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def set_params(self, params: dict) -> None:
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model) -> None:
        self.model = model
        if self._history is not None:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    # Batch hooks: logs pass through unread.
    def on_train_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._targets["on_train_batch_begin"]:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._targets["on_train_batch_end"]:
            callback.on_train_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._targets["on_test_batch_begin"]:
            callback.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._targets["on_test_batch_end"]:
            callback.on_test_batch_end(batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._targets["on_predict_batch_begin"]:
            callback.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self._targets["on_predict_batch_end"]:
            callback.on_predict_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs)

    def on_batch_end(self, batch, logs=None):
        logs = {} if logs is None else logs
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs)

    # Epoch and begin/end hooks: logs normalised once, then shared (callbacks may add keys).
    def on_epoch_begin(self, epoch, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_begin(self, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_test_begin(self, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)

    def on_predict_begin(self, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs=None):
        logs = _normalize_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)
