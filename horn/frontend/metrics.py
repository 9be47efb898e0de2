"""Metrics with Keras's names and numerics.

Every metric is a ratio of two sums taken over all the samples seen (an epoch, in fit):

    result = finalize(sum(values * weights) / sum(weights))      (0 when sum(weights) is 0)

`Metric.statistics(y_true, y_pred)` gives one batch's (values, weights). A mean metric gives
per-sample values and weights None: every sample counts once, so the result is the mean over
all samples (not the mean of batch means). Precision gives y_true with the predicted positives
as weights (true positives / predicted positives); RootMeanSquaredError's finalize is the square
root of the mean squared error. The compiled training and evaluation programs accumulate both
sums on the device (frontend/programs.py); on numpy arrays a metric does the same statefully:
update_state(), result(), reset_state().
"""

import numpy as np

from . import losses as losses_module
from . import ops
from .registry import Registry

_registry = Registry("metric")


def _match_ranks(y_true, y_pred):
    """As Keras does: when the ranks differ by one and the longer one ends in a 1-axis, a rank-1
    array gains that axis; otherwise the 1-axis is squeezed away."""
    rt, rp = len(y_true.shape), len(y_pred.shape)
    if rt == rp + 1 and y_true.shape[-1] == 1:
        return (y_true, ops.expand_dims(y_pred, -1)) if rp == 1 else (ops.squeeze(y_true, axis=-1), y_pred)
    if rp == rt + 1 and y_pred.shape[-1] == 1:
        return (ops.expand_dims(y_true, -1), y_pred) if rt == 1 else (y_true, ops.squeeze(y_pred, axis=-1))
    return y_true, y_pred


def _arrays(y_true, y_pred):
    """Python lists become numpy arrays (predictions float32), as Keras's functions accept them."""
    return losses_module._as_array(y_true), losses_module._as_array(y_pred, np.float32)


def _check_k(owner, k):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{owner} expects k to be a positive integer (how many of the highest scores "
                         f"count as a hit), but got k={k!r}")
    return int(k)


# -- per-sample functions ------------------------------------------------------------------------
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


def accuracy(y_true, y_pred):
    """1.0 where y_true == y_pred exactly, else 0.0 (elementwise; Keras's `Accuracy`)."""
    y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _match_ranks(ops.cast(y_true, y_pred.dtype), y_pred)
    return ops.cast(ops.equal(y_true, y_pred), y_pred.dtype)


def _in_top_k(labels, y_pred, k):
    """1.0 where the score of class `labels` is among the k highest of y_pred's last axis.
    A class ties into the top k: its rank is 1 + the number of strictly higher scores."""
    hot = ops.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype.name)
    zero = np.zeros((), y_pred.dtype)
    at_label = ops.sum(ops.where(ops.greater(hot, 0.5), y_pred, zero), axis=-1, keepdims=True)
    higher = ops.sum(ops.cast(ops.greater(y_pred, at_label), y_pred.dtype), axis=-1)
    return ops.cast(ops.less(higher, float(k)), y_pred.dtype)


@_registry.register("top_k_categorical_accuracy")
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the class one-hot y_true marks (its argmax) is among the k highest scores of
    y_pred. Shapes (N, ..., C) -> (N, ...). Example: `top_k_categorical_accuracy([[0, 0, 1]],
    [[0.5, 0.3, 0.2]], k=2)` -> [0.]."""
    k = _check_k("top_k_categorical_accuracy", k)
    y_true, y_pred = _arrays(y_true, y_pred)
    return _in_top_k(ops.argmax(y_true, axis=-1), y_pred, k)


@_registry.register("sparse_top_k_categorical_accuracy")
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """top_k_categorical_accuracy for integer labels of shape (N, ...) or (N, ..., 1). With
    from_sorted_ids, y_pred holds class ids sorted from the best down and a hit is the label
    among its first k columns."""
    k = _check_k("sparse_top_k_categorical_accuracy", k)
    y_true, y_pred = _arrays(y_true, y_pred)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if from_sorted_ids:
        rank = len(y_pred.shape)
        first_k = ops.slice(y_pred, [0] * rank, [-1] * (rank - 1) + [min(k, y_pred.shape[-1])])
        hit = ops.equal(first_k, ops.expand_dims(ops.cast(y_true, y_pred.dtype), -1))
        return ops.max(ops.cast(hit, y_pred.dtype), axis=-1)
    return _in_top_k(y_true, y_pred, k)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine of the angle between y_true and y_pred along axis, in [-1, 1] (1 is the best;
    the loss of the same name is its negative). Shapes (N, ..., d) -> (N, ...)."""
    return losses_module._cosine(y_true, y_pred, axis)


# -- metric objects ------------------------------------------------------------------------------
class Metric:
    """A metric object: `fn(y_true, y_pred, **kwargs)` gives per-sample values; horn averages them
    over all samples. Subclasses with other statistics override `statistics` and `finalize`.

    On numpy data it also works statefully, as in Keras: update_state(), result(), reset_state().
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        self.name = name or getattr(fn, "__name__", type(self).__name__.lower())
        self.dtype = dtype or "float32"
        self.reset_state()

    def __call__(self, y_true, y_pred):
        if self.fn is None:
            raise TypeError(f"Metric '{self.name}' ({type(self).__name__}) has no per-sample values: use "
                            "update_state() and result()")
        return self.fn(y_true, y_pred, **self.kwargs)

    n_sums = 2  # the sums a program accumulates for it; a metric with more defines batch_sums/from_sums

    def statistics(self, y_true, y_pred):
        """(values, weights) of one batch; weights None means one per sample (a mean metric)."""
        return self(y_true, y_pred), None

    def finalize(self, ratio):
        """The result from sum(values * weights) / sum(weights)."""
        return ratio

    def update_state(self, y_true, y_pred, sample_weight=None):
        values, weights = self.statistics(np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32))
        self._accumulate(values, weights, sample_weight)

    def _accumulate(self, values, weights, sample_weight):
        values = np.asarray(values, np.float64)
        if weights is None:
            # Each sample counts once whatever its number of entries: sums over the entries are
            # divided by the entries per sample (Keras's mean over all but the batch axis).
            per_sample = float(np.prod(values.shape[1:])) if values.ndim else 1.0
            w = np.ones_like(values) if sample_weight is None else _weight_like(sample_weight, values.shape)
        else:
            per_sample = 1.0
            w = np.asarray(weights, np.float64)
            if sample_weight is not None:
                w = w * _weight_like(sample_weight, w.shape)
        self._total += float((values * w).sum()) / per_sample
        self._count += float(w.sum()) / per_sample

    def result(self):
        return np.float32(self.finalize(self._total / self._count if self._count else 0.0))

    def reset_state(self):
        self._total, self._count = 0.0, 0.0

    reset_states = reset_state

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, **self.kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _weight_like(sample_weight, shape):
    """Sample weights (N,), (N, 1), ... or a scalar, broadcast to an array of `shape` (N, ...)."""
    w = np.asarray(sample_weight, np.float64)
    while w.ndim > len(shape) and w.shape[-1] == 1:
        w = w[..., 0]
    while w.ndim and w.ndim < len(shape):
        w = w[..., None]
    try:
        return np.broadcast_to(w, shape)
    except ValueError:
        raise ValueError(f"sample_weight of shape {np.shape(sample_weight)} does not fit values of shape "
                         f"{tuple(shape)}: give one weight per sample") from None


class MeanMetricWrapper(Metric):
    """The mean over all samples of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Example: `MeanMetricWrapper(keras.losses.huber, name="huber", delta=0.5)`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(fn, name=name, dtype=dtype, **kwargs)


def _metric_class(cls_name, fn, default_name, doc=None):
    def __init__(self, name=default_name, dtype=None):
        Metric.__init__(self, fn, name=name, dtype=dtype)

    cls = type(cls_name, (Metric,), {"__init__": __init__, "__doc__": doc or f"Mean of {fn.__name__}."})
    _registry.register(cls_name)(cls)
    return cls


def _with_args(cls, snake=None):
    """Register a metric class by its name (and its Keras 3 snake-case name)."""
    _registry.register(cls.__name__, *([snake] if snake else []))(cls)
    return cls


class BinaryAccuracy(Metric):
    """Mean of binary_accuracy: y_pred > threshold compared with y_true."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


_registry.register("BinaryAccuracy")(BinaryAccuracy)
CategoricalAccuracy = _metric_class("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _metric_class("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                          "sparse_categorical_accuracy")
Accuracy = _metric_class("Accuracy", accuracy, "accuracy", "How often y_pred equals y_true exactly.")
MeanSquaredError = _metric_class("MeanSquaredError", losses_module.mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _metric_class("MeanAbsoluteError", losses_module.mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _metric_class("MeanAbsolutePercentageError",
                                            losses_module.mean_absolute_percentage_error,
                                            "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _metric_class("MeanSquaredLogarithmicError",
                                            losses_module.mean_squared_logarithmic_error,
                                            "mean_squared_logarithmic_error")
Hinge = _metric_class("Hinge", losses_module.hinge, "hinge")
SquaredHinge = _metric_class("SquaredHinge", losses_module.squared_hinge, "squared_hinge")
CategoricalHinge = _metric_class("CategoricalHinge", losses_module.categorical_hinge, "categorical_hinge")
LogCoshError = _metric_class("LogCoshError", losses_module.log_cosh, "logcosh")
Poisson = _metric_class("Poisson", losses_module.poisson, "poisson")
KLDivergence = _metric_class("KLDivergence", losses_module.kl_divergence, "kl_divergence")
_registry.register("log_cosh_error")(LogCoshError)


@_with_args
class TopKCategoricalAccuracy(Metric):
    """How often the one-hot target's class is among the k highest predictions (k >= 1)."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=_check_k("TopKCategoricalAccuracy", k))


@_with_args
class SparseTopKCategoricalAccuracy(Metric):
    """How often the integer label is among the k highest predictions (k >= 1)."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        kwargs = {"from_sorted_ids": True} if from_sorted_ids else {}  # Keras's config has it only when set
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype,
                         k=_check_k("SparseTopKCategoricalAccuracy", k), **kwargs)


@_with_args
class CosineSimilarity(Metric):
    """Mean cosine similarity along `axis` (+cos: 1 is the best; the loss is its negative)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"CosineSimilarity expects axis to be an int, but got axis={axis!r}")
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=int(axis))


_registry.register("cosine_similarity")(CosineSimilarity)  # as a metric the name means +cos


@_with_args
class BinaryCrossentropy(Metric):
    """Mean binary cross-entropy (see `horn.losses.binary_crossentropy`)."""

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(losses_module.binary_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


@_with_args
class CategoricalCrossentropy(Metric):
    """Mean categorical cross-entropy (see `horn.losses.categorical_crossentropy`)."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0,
                 axis=-1):
        super().__init__(losses_module.categorical_crossentropy, name=name, dtype=dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


@_with_args
class SparseCategoricalCrossentropy(Metric):
    """Mean sparse categorical cross-entropy (see `horn.losses.sparse_categorical_crossentropy`).
    With ignore_class the ignored entries count as 0 in the mean, as Keras 3.15's metric has it
    (its loss object, unlike the metric, averages over the other entries only)."""

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(losses_module.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


@_with_args
class RootMeanSquaredError(Metric):
    """sqrt(sum over samples of mean((y_pred - y_true)^2) / number of samples): the root of the
    mean squared error over everything seen, not a mean of per-batch roots."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(losses_module.mean_squared_error, name=name, dtype=dtype)

    def finalize(self, ratio):
        return float(np.sqrt(ratio))


_registry.register("root_mean_squared_error")(RootMeanSquaredError)


# -- precision and recall ------------------------------------------------------------------------
_NEG_INF = -1e10  # with top_k and no threshold, every prediction in the top k is a positive


class _ConfusionRatio(Metric):
    """A ratio of confusion counts at one threshold: a prediction is positive where
    y_pred > threshold (and, with top_k, among the k highest of its row); a target is positive
    where y_true != 0. With class_id only that class (last-axis entry) is counted."""

    default_name = None

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        owner = type(self).__name__
        if top_k is not None:
            top_k = _check_k(owner, top_k)  # as `k`: the message says what it means
        if class_id is not None and (isinstance(class_id, bool) or not isinstance(class_id, (int, np.integer))
                                     or class_id < 0):
            raise ValueError(f"{owner} expects class_id to be None or a class index >= 0, but got "
                             f"class_id={class_id!r}")
        listed = thresholds if isinstance(thresholds, (list, tuple, np.ndarray)) else [thresholds]
        if thresholds is not None and len(listed) != 1:
            raise NotImplementedError(f"{owner}(thresholds={thresholds!r}): horn computes one threshold per "
                                      f"metric; make one {owner} per threshold")
        threshold = listed[0]
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(
                threshold, (int, float, np.integer, np.floating)) or not 0.0 <= threshold <= 1.0):
            raise ValueError(f"{owner} expects thresholds to be a number in [0, 1] (or a list of one), but got "
                             f"thresholds={thresholds!r}")
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.threshold = float(threshold) if threshold is not None else (0.5 if top_k is None else _NEG_INF)
        super().__init__(None, name=name or self.default_name, dtype=dtype)

    def _positives(self, y_true, y_pred):
        """(target positives, predicted positives) as float arrays of y_pred's shape."""
        y_pred = ops.cast(y_pred, "float32") if y_pred.dtype != np.float32 else y_pred
        y_true, y_pred = _match_ranks(ops.cast(y_true, y_pred.dtype), y_pred)
        predicted = ops.greater(y_pred, self.threshold)
        if self.top_k is not None:
            predicted = ops.logical_and(predicted, _top_k_mask(y_pred, self.top_k))
        actual = ops.not_equal(y_true, np.zeros((), y_pred.dtype))
        if self.class_id is not None:
            classes = y_pred.shape[-1] if len(y_pred.shape) > 1 else None
            if classes is None or self.class_id >= classes:
                raise ValueError(f"{type(self).__name__}(class_id={self.class_id}) needs predictions with more "
                                 f"than {self.class_id} classes on the last axis, got shape {tuple(y_pred.shape)}")
            at = np.array([self.class_id], np.int64)
            predicted, actual = ops.take(predicted, at, axis=-1), ops.take(actual, at, axis=-1)
        return ops.cast(actual, y_pred.dtype), ops.cast(predicted, y_pred.dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


def _top_k_mask(x, k):
    """True for the k highest entries of each row of x's last axis; equal scores go to the lower
    index first, so exactly min(k, C) entries are kept (as a sort-based top_k keeps them)."""
    c = x.shape[-1]
    if k >= c:
        return ops.greater_equal(x, x)  # all True (NaN aside)
    mine, other = ops.expand_dims(x, -1), ops.expand_dims(x, -2)  # [..., i, 1], [..., 1, j]
    earlier = np.tril(np.ones((c, c), bool), -1)  # j < i
    ahead = ops.logical_or(ops.greater(other, mine), ops.logical_and(ops.equal(other, mine), earlier))
    rank = ops.sum(ops.cast(ahead, x.dtype), axis=-1)  # how many entries come before entry i
    return ops.less(rank, float(k))


@_with_args
class Precision(_ConfusionRatio):
    """true positives / predicted positives = sum(y_true_positive * predicted) / sum(predicted),
    over all samples seen (0 when nothing was predicted positive).

    Args:
        thresholds: y_pred > thresholds is a positive prediction (0.5 by default; one value).
        top_k: only the k highest predictions of a row can be positive.
        class_id: count only this class (an index into the last axis).

    Example: `Precision()` in `compile(metrics=[...])` logs 'precision'.
    """

    default_name = "precision"

    def statistics(self, y_true, y_pred):
        actual, predicted = self._positives(y_true, y_pred)
        return actual, predicted


@_with_args
class Recall(_ConfusionRatio):
    """true positives / actual positives = sum(predicted * y_true_positive) / sum(y_true_positive),
    over all samples seen (0 when there were no positive targets). Arguments as for Precision."""

    default_name = "recall"

    def statistics(self, y_true, y_pred):
        actual, predicted = self._positives(y_true, y_pred)
        return predicted, actual


# -- Mean and Sum of given values ----------------------------------------------------------------
class Mean(Metric):
    """The (sample-weighted) mean of the values given to update_state(values, sample_weight).

    Example: `m = Mean(); m.update_state([1, 3, 5, 7]); m.result()` -> 4.0.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(None, name=name, dtype=dtype)

    def statistics(self, y_true, y_pred):
        raise TypeError(f"{type(self).__name__} '{self.name}' takes values, not (y_true, y_pred): for a "
                        "function of (y_true, y_pred) in compile() use MeanMetricWrapper(fn)")

    def update_state(self, values, sample_weight=None):
        self._accumulate(np.asarray(values, np.float32), None, sample_weight)


class Sum(Mean):
    """The (sample-weighted) sum of the values given to update_state(values, sample_weight)."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, values, sample_weight=None):
        values = np.asarray(values, np.float64)
        if sample_weight is not None:
            values = values * _weight_like(sample_weight, values.shape)
        self._total += float(values.sum())

    def result(self):
        return np.float32(self._total)


_registry.register("precision")(Precision)
_registry.register("recall")(Recall)
_registry.register("Mean", "mean")(Mean)
_registry.register("Sum", "sum")(Sum)
_registry.register("MeanMetricWrapper")(MeanMetricWrapper)

@_with_args
class AUC(Metric):
    """Area under the ROC or precision-recall curve, over all samples seen, from confusion counts
    at `num_thresholds` thresholds (Keras's approximation): a prediction is positive at threshold
    t where y_pred > t, a target where y_true != 0; every entry of y_true/y_pred is one binary
    decision (multi_label=False).

    Args:
        num_thresholds: 200 by default: thresholds i / (num_thresholds - 1), with the first and
            last moved just outside [0, 1] (-1e-7 and 1 + 1e-7).
        curve: 'ROC' (true positive rate against false positive rate) or 'PR' (precision
            against recall).
        summation_method: 'interpolation' (trapezoids; for PR, Davis & Goadrich's
            interpolation of precision), 'minoring' or 'majoring' (left/right Riemann sums).
        thresholds: explicit thresholds in [0, 1] instead of num_thresholds.
        from_logits: apply a sigmoid to y_pred first.

    The training program sums, per batch, the true and false positives at every threshold and
    the positive and negative targets (2 * num_thresholds + 2 numbers); the area is computed
    from those sums when the logs are read.

    Example: `compile(loss="binary_crossentropy", metrics=[keras.metrics.AUC()])` logs 'auc'.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        curve, method = str(curve).upper(), str(summation_method).lower()
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC(curve=...) must be 'ROC' or 'PR', got {curve!r}")
        if method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC(summation_method=...) must be 'interpolation', 'minoring' or 'majoring', "
                             f"got {summation_method!r}")
        if multi_label or label_weights is not None:
            raise NotImplementedError("AUC(multi_label=True or label_weights=...): horn computes one curve over "
                                      "all labels; use multi_label=False")
        if thresholds is not None:
            inner = sorted(float(t) for t in np.ravel(thresholds))
            if any(not 0.0 <= t <= 1.0 for t in inner):
                raise ValueError(f"AUC(thresholds=...) must lie in [0, 1], got {thresholds!r}")
            self.thresholds = inner
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(f"AUC(num_thresholds=...) must be an integer > 1, got {num_thresholds!r}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = None
        self._cuts = np.array([-1e-7] + inner + [1.0 + 1e-7], np.float32)
        self.num_thresholds = len(self._cuts)
        self.curve, self.summation_method, self.from_logits = curve, method, bool(from_logits)
        self.n_sums = 2 * self.num_thresholds + 2
        super().__init__(None, name=name or "auc", dtype=dtype)

    def batch_sums(self, y_true, y_pred, sample_weight=None):
        """[true positives per threshold, false positives per threshold, positives, negatives]."""
        y_pred = ops.cast(y_pred, "float32") if y_pred.dtype != np.float32 else y_pred
        if self.from_logits:
            y_pred = ops.sigmoid(y_pred)
        y_true, y_pred = _match_ranks(ops.cast(y_true, y_pred.dtype), y_pred)
        positive = ops.cast(ops.not_equal(y_true, np.zeros((), np.float32)), "float32")
        weight = ops.ones_like(y_pred) if sample_weight is None else \
            ops.multiply(ops.ones_like(y_pred), _weight_tensor(sample_weight, y_pred))
        pos = ops.reshape(ops.multiply(positive, weight), (1, -1))
        neg = ops.reshape(ops.multiply(ops.subtract(1.0, positive), weight), (1, -1))
        above = ops.cast(ops.greater(ops.reshape(y_pred, (-1, 1)), self._cuts), "float32")  # (entries, T)
        counts = [ops.reshape(ops.matmul(pos, above), (-1,)), ops.reshape(ops.matmul(neg, above), (-1,)),
                  ops.reshape(ops.sum(pos), (1,)), ops.reshape(ops.sum(neg), (1,))]
        return ops.concatenate(counts, axis=0)

    def from_sums(self, sums):
        t = self.num_thresholds
        sums = np.asarray(sums, np.float64)
        tp, fp, positives, negatives = sums[:t], sums[t:2 * t], sums[2 * t], sums[2 * t + 1]
        fn, tn = positives - tp, negatives - fp
        if self.curve == "PR" and self.summation_method == "interpolation":
            return float(_interpolated_pr_auc(tp, fp, fn))
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        else:
            x, y = recall, _ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        else:
            heights = (np.minimum if self.summation_method == "minoring" else np.maximum)(y[:-1], y[1:])
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def update_state(self, y_true, y_pred, sample_weight=None):
        sums = np.asarray(self.batch_sums(np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32),
                                          sample_weight), np.float64)
        self._sums = sums if self._sums is None else self._sums + sums

    def result(self):
        return np.float32(0.0 if self._sums is None else self.from_sums(self._sums))

    def reset_state(self):
        self._sums = None

    reset_states = reset_state

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method, "thresholds": self.thresholds,
                "multi_label": False, "label_weights": None, "from_logits": self.from_logits}


_registry.register("auc")(AUC)


def _ratio(a, b):
    """a / b, 0 where b is 0 (Keras's divide_no_nan)."""
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def _interpolated_pr_auc(tp, fp, fn):
    """Davis & Goadrich's interpolated area under the precision-recall curve: between two
    thresholds, true positives and predicted positives P vary linearly, so precision is
    (intercept + slope * P) / P and its integral over P has a closed form with log(P_a / P_b)."""
    p = tp + fp
    dtp, dp = tp[:-1] - tp[1:], p[:-1] - p[1:]
    slope = _ratio(dtp, np.maximum(dp, 0))
    intercept = tp[1:] - slope * p[1:]
    both = (p[:-1] > 0) & (p[1:] > 0)
    p_ratio = np.where(both, _ratio(p[:-1], np.maximum(p[1:], 0)), 1.0)
    return np.sum(_ratio(slope * (dtp + intercept * np.log(p_ratio)), np.maximum(tp[1:] + fn[1:], 0)))


def _weight_tensor(sample_weight, like):
    """Sample weights (N,), (N, 1)... shaped to broadcast over `like` (N, ...)."""
    sw = ops.cast(sample_weight, "float32")
    while len(sw.shape) > len(like.shape):
        sw = ops.squeeze(sw, axis=-1)
    while len(sw.shape) < len(like.shape):
        sw = ops.expand_dims(sw, -1)
    return sw


_BINARY_LOSSES = {"binary_crossentropy", "BinaryCrossentropy"}
_SPARSE_LOSSES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}


def get(identifier, loss=None, output_shape=None):
    """A Metric from a name, function, Metric, Metric class or {class_name, config} dict.
    'accuracy'/'acc' resolve as Keras does: binary for binary_crossentropy or a single output
    unit, sparse for sparse_categorical_crossentropy, categorical otherwise. A metric named by a
    lower-case string keeps that string as its name (Keras 3's log key)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"A metric config needs a 'class_name', got {identifier!r}")
        cls = _registry.lookup(identifier["class_name"].split(">")[-1])
        return cls.from_config(dict(identifier.get("config") or {}))
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
            if not isinstance(obj, Metric):
                return Metric(obj.call, name=identifier)
            if identifier[0].islower():
                obj.name = identifier
            return obj
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
