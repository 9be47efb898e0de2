"""Metrics: per-sample functions averaged over all samples seen (as Keras's Mean metrics do)."""

import numpy as np

from . import losses as losses_module
from . import ops
from .registry import Registry

_registry = Registry("metric")


@_registry.register("binary_accuracy")
def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_pred = ops.cast(ops.greater(y_pred, threshold), y_pred.dtype)
    return ops.mean(ops.cast(ops.equal(ops.cast(y_true, y_pred.dtype), y_pred), y_pred.dtype), axis=-1)


@_registry.register("categorical_accuracy")
def categorical_accuracy(y_true, y_pred):
    hit = ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1))
    return ops.cast(hit, y_pred.dtype)


@_registry.register("sparse_categorical_accuracy")
def sparse_categorical_accuracy(y_true, y_pred):
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    hit = ops.equal(ops.cast(y_true, "int64"), ops.argmax(y_pred, axis=-1))
    return ops.cast(hit, y_pred.dtype)


class Metric:
    """A metric object: `fn(y_true, y_pred)` gives per-sample values; horn averages them.

    On numpy data it also works statefully, as in Keras: update_state(), result(), reset_state().
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        self.name = name or fn.__name__
        self.reset_state()

    def __call__(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = np.asarray(self(np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32)))
        w = np.ones_like(values) if sample_weight is None else np.broadcast_to(sample_weight, values.shape)
        self._total += float((values * w).sum())
        self._count += float(w.sum())

    def result(self):
        return np.float32(self._total / self._count) if self._count else np.float32(0.0)

    def reset_state(self):
        self._total, self._count = 0.0, 0.0

    reset_states = reset_state

    def get_config(self):
        return {"name": self.name, **self.kwargs}


def _metric_class(cls_name, fn, default_name):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        Metric.__init__(self, fn, name=name, **kwargs)

    cls = type(cls_name, (Metric,), {"__init__": __init__, "__doc__": f"Mean of {fn.__name__}."})
    _registry.register(cls_name)(cls)
    return cls


BinaryAccuracy = _metric_class("BinaryAccuracy", binary_accuracy, "binary_accuracy")
CategoricalAccuracy = _metric_class("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _metric_class("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                          "sparse_categorical_accuracy")
MeanSquaredError = _metric_class("MeanSquaredError", losses_module.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _metric_class("MeanAbsoluteError", losses_module.mean_absolute_error, "mean_absolute_error")

_BINARY_LOSSES = {"binary_crossentropy", "BinaryCrossentropy"}
_SPARSE_LOSSES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}


def get(identifier, loss=None, output_shape=None):
    """A Metric from a name, function or Metric. 'accuracy'/'acc' resolve as Keras does: binary
    for binary_crossentropy or a single output unit, sparse for sparse_categorical_crossentropy,
    categorical otherwise. The metric keeps the name the user gave."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            loss_name = _loss_name(loss)
            if loss_name in _BINARY_LOSSES or (output_shape and output_shape[-1] == 1):
                fn = binary_accuracy
            elif loss_name in _SPARSE_LOSSES:
                fn = sparse_categorical_accuracy
            else:
                fn = categorical_accuracy
            return Metric(fn, name=identifier)
        try:
            found = _registry.lookup(identifier)
        except ValueError:
            try:
                found = losses_module._registry.lookup(identifier)
            except ValueError:
                both = Registry("metric")  # raises with suggestions from both tables
                both.entries = {**{k: v for k, v in losses_module._registry.entries.items() if k[0].islower()},
                                **_registry.entries, "accuracy": None, "acc": None}
                both.lookup(identifier)
        if isinstance(found, type):
            obj = found()
            return obj if isinstance(obj, Metric) else Metric(obj.call, name=identifier)
        return Metric(found, name=identifier)
    if isinstance(identifier, losses_module.Loss):
        return Metric(identifier.call, name=identifier.name)
    if callable(identifier):
        return Metric(identifier)
    raise TypeError(f"Could not interpret metric identifier: {identifier!r}")


def _loss_name(loss):
    if loss is None:
        return None
    if isinstance(loss, str):
        return loss
    if isinstance(loss, losses_module.LossFunctionWrapper):
        return loss._fn.__name__
    return type(loss).__name__ if isinstance(loss, losses_module.Loss) else getattr(loss, "__name__", None)
