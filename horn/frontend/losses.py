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
    """categorical_crossentropy with integer class labels (shape (N,) or (N, 1)). With
    `ignore_class`, entries labelled with it get a loss of 0 (a segmentation map's "void"); the
    Loss object then averages over the other entries only (see `valid_labels`)."""
    y_true, y_pred = _as_array(y_true), _as_array(y_pred, np.float32)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if len(y_true.shape) != len(y_pred.shape) - 1:
        raise ValueError(f"sparse_categorical_crossentropy needs integer labels of shape {tuple(y_pred.shape[:-1])} "
                         f"for predictions of shape {tuple(y_pred.shape)}, got labels of shape "
                         f"{tuple(y_true.shape)}")
    valid = None
    if ignore_class is not None:  # the ignored label may be out of range (-1, 255): OneHot gets 0
        valid = ops.not_equal(y_true, ops.cast(np.asarray(ignore_class), y_true.dtype.name))
        y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    hot = ops.one_hot(y_true, y_pred.shape[-1], dtype=y_pred.dtype.name)
    loss = categorical_crossentropy(hot, y_pred, from_logits=from_logits, axis=axis)
    return loss if valid is None else ops.where(valid, loss, ops.zeros_like(loss))


def valid_labels(y_true, ignore_class):
    """1.0 where an integer label is not `ignore_class`, else 0.0, one per loss value."""
    y_true = _as_array(y_true)
    if len(y_true.shape) > 1 and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    return ops.cast(ops.not_equal(y_true, ops.cast(np.asarray(ignore_class), y_true.dtype.name)), "float32")


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


def _check_number(owner, arg, value, low=None, high=None, low_open=False):
    """Raise ValueError naming `owner`'s argument unless value is a number in [low, high]."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        lo = "" if low is None else f"{'>' if low_open else '>='} {low}"
        hi = "" if high is None else f"<= {high}"
        want = " and ".join(b for b in (lo, hi) if b) or "a number"
        raise ValueError(f"{owner} expects {arg} to be a number {want}, but got {arg}={value!r}")
    return float(value)


@_registry.register("huber", "huber_loss")
def huber(y_true, y_pred, delta=1.0):
    """Huber loss, the mean over the last axis of

        0.5 * e^2                      where |e| <= delta
        delta * |e| - 0.5 * delta^2    elsewhere,       e = y_pred - y_true

    Args:
        y_true, y_pred: arrays of the same shape (N, ..., d).
        delta: where the loss turns from quadratic to linear (>= 0).

    Returns one value per sample, shape (N, ...). Example: `huber([[0, 1]], [[0.6, 0.4]])`.
    """
    delta = _check_number("huber", "delta", delta, low=0.0)
    y_true, y_pred = _prep(y_true, y_pred)
    err = ops.subtract(y_pred, y_true)
    abs_err = ops.abs(err)
    quadratic = ops.multiply(0.5, ops.square(err))
    linear = ops.subtract(ops.multiply(delta, abs_err), 0.5 * delta * delta)
    return ops.mean(ops.where(ops.less_equal(abs_err, delta), quadratic, linear), axis=-1)


huber_loss = huber


@_registry.register("log_cosh", "logcosh")
def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true))) over the last axis, computed as
    x + softplus(-2x) - log(2), which neither overflows for large |x| nor loses the small ones.

    Shapes (N, ..., d) -> (N, ...). Example: `log_cosh([[0., 1.]], [[1., 1.]])` -> [0.2169].
    """
    y_true, y_pred = _prep(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    return ops.mean(ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2.0))), float(np.log(2.0))), axis=-1)


logcosh = log_cosh


def _l2_normalize(x, axis):
    """x / max(||x||, eps) along axis; a zero vector stays zero. The clamp sits under the sqrt
    so that the gradient of a zero vector is 0, not 0 * inf."""
    squares = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return ops.divide(x, ops.sqrt(ops.maximum(squares, epsilon() ** 2)))


def _cosine(y_true, y_pred, axis):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred)) along axis: the cosine of the angle."""
    y_true, y_pred = _prep(y_true, y_pred)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"cosine_similarity expects axis to be an int, but got axis={axis!r}")
    return ops.sum(ops.multiply(_l2_normalize(y_true, axis), _l2_normalize(y_pred, axis)), axis=axis)


@_registry.register("cosine_similarity", "cosine_proximity", "cosine")
def cosine_similarity(y_true, y_pred, axis=-1):
    """Keras 3's cosine-similarity loss: -sum(l2_normalize(y_true) * l2_normalize(y_pred)) along
    axis, in [-1, 1]; -1 is the best fit, 0 orthogonal (or a zero vector). Keras 2's
    `cosine_proximity` / `cosine` are the same (negated) value.

    Shapes (N, ..., d) -> (N, ...). Example: `cosine_similarity([[1., 1.]], [[1., 1.]])` -> [-1.].
    """
    return ops.negative(_cosine(y_true, y_pred, axis))


cosine_proximity = cosine = cosine_similarity


@_registry.register("categorical_hinge")
def categorical_hinge(y_true, y_pred):
    """max(neg - pos + 1, 0) with pos = sum(y_true * y_pred) and neg = max((1 - y_true) * y_pred),
    both over the last axis (y_true one-hot). Shapes (N, ..., d) -> (N, ...)."""
    y_true, y_pred = _prep(y_true, y_pred)
    pos = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.relu(ops.add(ops.subtract(neg, pos), 1.0))


def _check_focal(owner, gamma, label_smoothing):
    _check_number(owner, "gamma", gamma, low=0.0)
    _check_number(owner, "label_smoothing", label_smoothing, low=0.0, high=1.0)


@_registry.register("binary_focal_crossentropy")
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled down where the prediction is already good (Lin et al., 2017):
    the mean over `axis` of

        w * (1 - p_t)^gamma * bce,   p_t = t * p + (1 - t) * (1 - p),

    bce = -(t log p + (1 - t) log(1 - p)) with p clipped to [eps, 1 - eps] (p = sigmoid(y_pred)
    if from_logits), t smoothed towards 0.5 by label_smoothing, and w = alpha * t + (1 - alpha)
    * (1 - t) with apply_class_balancing (else 1). gamma = 0 gives binary_crossentropy.

    Shapes (N, ..., d) -> (N, ...).
    """
    _check_focal("binary_focal_crossentropy", gamma, label_smoothing)
    _check_number("binary_focal_crossentropy", "alpha", alpha, low=0.0, high=1.0)
    y_true, y_pred = _prep(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    p = ops.sigmoid(y_pred) if from_logits else y_pred
    clipped = ops.clip(p, epsilon(), 1.0 - epsilon())
    bce = ops.negative(ops.add(ops.multiply(y_true, ops.log(clipped)),
                               ops.multiply(ops.subtract(1.0, y_true), ops.log(ops.subtract(1.0, clipped)))))
    # p_t uses the unclipped p, as Keras does: only the logarithms need the clip.
    p_t = ops.add(ops.multiply(y_true, p), ops.multiply(ops.subtract(1.0, y_true), ops.subtract(1.0, p)))
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), float(gamma)), bce)
    if apply_class_balancing:
        weight = ops.add(ops.multiply(y_true, float(alpha)), ops.multiply(ops.subtract(1.0, y_true), 1.0 - alpha))
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


@_registry.register("categorical_focal_crossentropy")
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy scaled down where the prediction is already good: the sum over
    `axis` of

        -alpha * (1 - p)^gamma * t * log(p),

    p = y_pred (softmax(y_pred) if from_logits) renormalized to sum 1 and clipped to
    [eps, 1 - eps], t smoothed by label_smoothing as in categorical_crossentropy. alpha is a
    number or one weight per class. Shapes (N, ..., C) -> (N, ...).
    """
    _check_focal("categorical_focal_crossentropy", gamma, label_smoothing)
    y_true, y_pred = _prep(y_true, y_pred)
    if tuple(y_true.shape[1:]) != tuple(y_pred.shape[1:]):
        raise ValueError(f"categorical_focal_crossentropy needs one-hot targets shaped like the predictions "
                         f"{tuple(y_pred.shape)}, got targets of shape {tuple(y_true.shape)}")
    if np.ndim(alpha) == 0:
        alpha = _check_number("categorical_focal_crossentropy", "alpha", alpha)
    else:
        alpha = np.asarray(alpha, np.float32)
        if alpha.shape != (y_pred.shape[axis],):
            raise ValueError(f"categorical_focal_crossentropy expects alpha to be a number or one weight per "
                             f"class ({y_pred.shape[axis]}), but got alpha of shape {alpha.shape}")
    y_true = _smooth(y_true, label_smoothing, y_pred.shape[axis])
    p = ops.softmax(y_pred, axis=axis) if from_logits else y_pred
    p = ops.clip(ops.divide(p, ops.sum(p, axis=axis, keepdims=True)), epsilon(), 1.0 - epsilon())
    modulation = ops.multiply(ops.power(ops.subtract(1.0, p), float(gamma)), alpha)
    return ops.sum(ops.multiply(modulation, ops.negative(ops.multiply(y_true, ops.log(p)))), axis=axis)


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
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy)
Hinge = _loss_class("Hinge", hinge)
SquaredHinge = _loss_class("SquaredHinge", squared_hinge)
KLDivergence = _loss_class("KLDivergence", kl_divergence)
Poisson = _loss_class("Poisson", poisson)
LogCosh = _loss_class("LogCosh", log_cosh)
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge)


class SparseCategoricalCrossentropy(Loss):
    """Loss object for sparse_categorical_crossentropy (from_logits, ignore_class, axis). With
    `ignore_class`, the ignored entries weigh 0 and the mean is over the others, as Keras 3's
    loss mask does (sum(loss * weight) / number of valid entries)."""

    fn = staticmethod(sparse_categorical_crossentropy)

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        ignore_class = self.fn_kwargs.get("ignore_class")
        if ignore_class is not None:
            valid = valid_labels(y_true, ignore_class)
            if self.reduction == "sum_over_batch_size":  # valid entries weigh total / valid
                total = ops.cast(ops.size(valid), "float32")
                valid = ops.multiply(valid, ops.divide(total, ops.maximum(ops.sum(valid), 1.0)))
            sample_weight = valid if sample_weight is None else _times(sample_weight, valid)
        return reduce_values(values, sample_weight, self.reduction)


_registry.register("SparseCategoricalCrossentropy")(SparseCategoricalCrossentropy)


def _times(sample_weight, weights):
    """sample_weight (per sample, maybe with a trailing 1) times per-value weights."""
    sw = ops.cast(sample_weight, weights.dtype)
    while len(sw.shape) > len(weights.shape):
        sw = ops.squeeze(sw, axis=-1)
    while len(sw.shape) < len(weights.shape):
        sw = ops.expand_dims(sw, -1)
    return ops.multiply(weights, sw)


class Huber(Loss):
    """Huber loss object (see `huber`): quadratic for |error| <= delta, linear beyond.

    Args:
        delta: the turning point (>= 0), 1.0 by default.
        reduction, name: as for every Loss (name defaults to Keras's 'huber_loss').

    Example: `Huber(delta=0.5)([[0., 1.]], [[0.6, 0.4]])`.
    """

    fn = staticmethod(huber)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(reduction, name, delta=_check_number("Huber", "delta", delta, low=0.0))


class CosineSimilarity(Loss):
    """Loss object for `cosine_similarity` (-cos along `axis`; -1 is the best fit)."""

    fn = staticmethod(cosine_similarity)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"CosineSimilarity expects axis to be an int, but got axis={axis!r}")
        super().__init__(reduction, name, axis=int(axis))


class BinaryFocalCrossentropy(Loss):
    """Loss object for `binary_focal_crossentropy` (Keras 3's defaults: alpha=0.25, gamma=2).

    Example: `BinaryFocalCrossentropy(gamma=2.0, from_logits=True)(y_true, logits)`.
    """

    fn = staticmethod(binary_focal_crossentropy)

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        owner = "BinaryFocalCrossentropy"
        _check_focal(owner, gamma, label_smoothing)
        super().__init__(reduction, name, apply_class_balancing=bool(apply_class_balancing),
                         alpha=_check_number(owner, "alpha", alpha, low=0.0, high=1.0), gamma=float(gamma),
                         from_logits=bool(from_logits), label_smoothing=float(label_smoothing), axis=axis)


class CategoricalFocalCrossentropy(Loss):
    """Loss object for `categorical_focal_crossentropy` (alpha a number or one per class)."""

    fn = staticmethod(categorical_focal_crossentropy)

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        _check_focal("CategoricalFocalCrossentropy", gamma, label_smoothing)
        if np.ndim(alpha) == 0:
            alpha = _check_number("CategoricalFocalCrossentropy", "alpha", alpha)
        else:
            alpha = [float(a) for a in np.asarray(alpha).reshape(-1)]  # a list keeps the config JSON-able
        super().__init__(reduction, name, alpha=alpha, gamma=float(gamma), from_logits=bool(from_logits),
                         label_smoothing=float(label_smoothing), axis=axis)


for _cls in (Huber, CosineSimilarity, BinaryFocalCrossentropy, CategoricalFocalCrossentropy):
    _registry.register(_cls.__name__)(_cls)


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
