"""Losses with Keras's names and numerics (epsilon clipping, from_logits, label smoothing).

A loss function maps (y_true, y_pred) to one value per sample (the last axis is reduced);
a `Loss` object reduces those values over the batch (`sum_over_batch_size` = the mean).
"""

import numpy as np

from . import ops
from .config import epsilon
from .registry import Registry

_registry = Registry("loss")


def _as_array(x, dtype=None):
    """Python lists and numbers become numpy arrays (predictions as float32, like Keras's floatx)."""
    return x if hasattr(x, "dtype") and hasattr(x, "shape") else np.asarray(x, dtype)


def _prep(y_true, y_pred):
    y_true, y_pred = _as_array(y_true), _as_array(y_pred, np.float32)
    return ops.cast(y_true, y_pred.dtype), y_pred


@_registry.register("mean_squared_error", "mse", "MSE")
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_pred, y_true)), axis=-1)


@_registry.register("mean_absolute_error", "mae", "MAE")
def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_pred, y_true)), axis=-1)


@_registry.register("mean_absolute_percentage_error", "mape", "MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred)
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), ops.maximum(ops.abs(y_true), epsilon())))
    return ops.multiply(100.0, ops.mean(diff, axis=-1))


@_registry.register("mean_squared_logarithmic_error", "msle", "MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred)
    a = ops.log(ops.add(ops.maximum(y_pred, epsilon()), 1.0))
    b = ops.log(ops.add(ops.maximum(y_true, epsilon()), 1.0))
    return ops.mean(ops.square(ops.subtract(a, b)), axis=-1)


def _smooth(y_true, label_smoothing, num_classes):
    if not label_smoothing:
        return y_true
    return ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)


@_registry.register("categorical_crossentropy")
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(p)); p is renormalized and clipped to [eps, 1 - eps] unless from_logits."""
    y_true, y_pred = _prep(y_true, y_pred)
    if tuple(y_true.shape[1:]) != tuple(y_pred.shape[1:]):
        raise ValueError(f"categorical_crossentropy needs targets shaped like the predictions "
                         f"{tuple(y_pred.shape)}, got targets of shape {tuple(y_true.shape)}. For integer "
                         "class labels use sparse_categorical_crossentropy, or one-hot encode them with "
                         "horn.utils.to_categorical.")
    y_true = _smooth(y_true, label_smoothing, y_pred.shape[axis])
    if from_logits:
        log_p = ops.log_softmax(y_pred, axis=axis)
    else:
        p = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
        log_p = ops.log(ops.clip(p, epsilon(), 1.0 - epsilon()))
    return ops.negative(ops.sum(ops.multiply(y_true, log_p), axis=axis))


@_registry.register("sparse_categorical_crossentropy")
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """categorical_crossentropy with integer class labels (shape (N,) or (N, 1))."""
    y_true, y_pred = _as_array(y_true), _as_array(y_pred, np.float32)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if len(y_true.shape) != len(y_pred.shape) - 1:
        raise ValueError(f"sparse_categorical_crossentropy needs integer labels of shape {tuple(y_pred.shape[:-1])} "
                         f"for predictions of shape {tuple(y_pred.shape)}, got labels of shape "
                         f"{tuple(y_true.shape)}")
    hot = ops.one_hot(y_true, y_pred.shape[-1], dtype=y_pred.dtype.name)
    return categorical_crossentropy(hot, y_pred, from_logits=from_logits, axis=axis)


@_registry.register("binary_crossentropy")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over the last axis of -(t log p + (1 - t) log(1 - p)), p clipped to [eps, 1 - eps]."""
    y_true, y_pred = _prep(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        # max(x, 0) - x t + log(1 + exp(-|x|)), the stable form
        per = ops.add(ops.subtract(ops.relu(y_pred), ops.multiply(y_pred, y_true)),
                      ops.softplus(ops.negative(ops.abs(y_pred))))
    else:
        p = ops.clip(y_pred, epsilon(), 1.0 - epsilon())
        per = ops.negative(ops.add(ops.multiply(y_true, ops.log(p)),
                                   ops.multiply(ops.subtract(1.0, y_true), ops.log(ops.subtract(1.0, p)))))
    return ops.mean(per, axis=axis)


def _hinge_labels(y_true):
    """As Keras does: labels that are all 0 or 1 become -1 or 1 (others are used as they are)."""
    is_binary = ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0))
    all_binary = ops.min(ops.cast(is_binary, y_true.dtype))  # 1.0 when every label is 0 or 1
    return ops.add(y_true, ops.multiply(all_binary, ops.subtract(y_true, 1.0)))  # y or 2y - 1


@_registry.register("hinge")
def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)) over the last axis; 0/1 labels are read as -1/1."""
    y_true, y_pred = _prep(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.relu(ops.subtract(1.0, ops.multiply(y_true, y_pred))), axis=-1)


@_registry.register("squared_hinge")
def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0)^2) over the last axis; 0/1 labels are read as -1/1."""
    y_true, y_pred = _prep(y_true, y_pred)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.square(ops.relu(ops.subtract(1.0, ops.multiply(y_true, y_pred)))), axis=-1)


@_registry.register("kl_divergence", "kullback_leibler_divergence", "kld", "KLD")
def kl_divergence(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred)
    t = ops.clip(y_true, epsilon(), 1.0)
    p = ops.clip(y_pred, epsilon(), 1.0)
    return ops.sum(ops.multiply(t, ops.log(ops.divide(t, p))), axis=-1)


@_registry.register("poisson")
def poisson(y_true, y_pred):
    y_true, y_pred = _prep(y_true, y_pred)
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, ops.log(ops.add(y_pred, epsilon())))), axis=-1)


# Keras's short names for the functions (keras.losses.mse etc.).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence


class Loss:
    """A loss object: `loss(y_true, y_pred, sample_weight=None)` -> the reduced scalar."""

    fn = None

    def __init__(self, reduction="sum_over_batch_size", name=None, **fn_kwargs):
        if reduction not in ("sum_over_batch_size", "sum", "none", "auto", None):
            raise ValueError(f"Unknown reduction {reduction!r}: use 'sum_over_batch_size', 'sum' or 'none'")
        self.reduction = "sum_over_batch_size" if reduction == "auto" else reduction
        self.name = name or _snake(type(self).__name__)
        self.fn_kwargs = fn_kwargs

    def call(self, y_true, y_pred):
        return type(self).fn(y_true, y_pred, **self.fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        return reduce_values(values, sample_weight, self.reduction)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, **self.fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample values and reduce them as Keras 3 does (mean over all elements)."""
    if sample_weight is not None:
        sw = ops.cast(sample_weight, values.dtype)
        while len(sw.shape) > len(values.shape):
            sw = ops.squeeze(sw, axis=-1)
        values = ops.multiply(values, sw)
    if reduction in (None, "none"):
        return values
    total = ops.sum(values)
    return total if reduction == "sum" else ops.mean(values)


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(reduction, name or getattr(fn, "__name__", "loss"), **kwargs)
        self._fn = fn

    def call(self, y_true, y_pred):
        return self._fn(y_true, y_pred, **self.fn_kwargs)


def _snake(name):
    from .naming import to_snake_case
    return to_snake_case(name)


def _loss_class(name, fn, aliases=()):
    cls = type(name, (Loss,), {"fn": staticmethod(fn), "__doc__": f"Loss object for {fn.__name__}."})
    _registry.register(name, *aliases)(cls)
    return cls


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error)
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error)
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error)
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy)
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy)
Hinge = _loss_class("Hinge", hinge)
SquaredHinge = _loss_class("SquaredHinge", squared_hinge)
KLDivergence = _loss_class("KLDivergence", kl_divergence)
Poisson = _loss_class("Poisson", poisson)


def get(identifier):
    """A loss object from a name, a function, a Loss object or a {class_name, config} dict."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        found = _registry.lookup(identifier)
        return found() if isinstance(found, type) else LossFunctionWrapper(found, name=identifier)
    if isinstance(identifier, dict):
        return _registry.lookup(identifier["class_name"]).from_config(identifier.get("config", {}))
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss identifier: {identifier!r}")


def serialize(loss):
    if isinstance(loss, LossFunctionWrapper):
        return loss._fn.__name__
    return {"class_name": type(loss).__name__, "config": loss.get_config()}
