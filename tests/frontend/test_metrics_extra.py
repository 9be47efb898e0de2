"""Top-k accuracies, Accuracy, the mean-metric classes of Keras's losses, RootMeanSquaredError,
Precision, Recall, Mean, Sum and MeanMetricWrapper: stateful values over two weighted batches
against float64 numpy references and against values printed by real Keras 3.15.1; fit/evaluate
logs under Keras's names, computed over the whole epoch (not averaged over batches); names by
string; config round trips; errors for bad arguments."""

import numpy as np
import pytest

import horn as keras

EPS = 1e-7
rng = np.random.default_rng(11)
C = 5


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def batch(n, seed):
    r = np.random.default_rng(seed)
    labels = r.integers(0, C, size=n)
    probs = softmax(r.normal(scale=2.0, size=(n, C))).astype(np.float32)
    yt = r.normal(scale=2.0, size=(n, C)).astype(np.float32)
    return {
        "labels": labels.astype(np.float32),
        "onehot": np.eye(C, dtype=np.float32)[labels],
        "probs": probs,
        "ties": (np.round(probs * 4) / 4).astype(np.float32),  # equal scores for the top-k rules
        "multi": (r.random((n, C)) > 0.5).astype(np.float32),
        "sig": r.random((n, C)).astype(np.float32),
        "logits": r.normal(scale=2.0, size=(n, C)).astype(np.float32),
        "yt": yt,
        "yp": (yt + r.normal(scale=1.5, size=(n, C))).astype(np.float32),
        "pos_t": (r.random((n, C)) * 3).astype(np.float32),
        "pos_p": (r.random((n, C)) * 3 + 0.01).astype(np.float32),
        "ints_t": r.integers(0, 3, size=(n, C)).astype(np.float32),
        "ints_p": r.integers(0, 3, size=(n, C)).astype(np.float32),
        "sw": (r.random(n) * 2).astype(np.float32),
    }


B1, B2 = batch(7, 1), batch(4, 2)


# -- float64 references: (values, weights) per batch; the metric is sum(v * w) / sum(w) ------------
def rank_ahead(p):
    """For each entry, how many entries of its row come first in a top-k (higher, or equal and
    at a lower index)."""
    c = p.shape[-1]
    higher = p[..., None, :] > p[..., :, None]
    tie_before = (p[..., None, :] == p[..., :, None]) & np.tril(np.ones((c, c), bool), -1)
    return (higher | tie_before).sum(-1)


def in_top_k(labels, p, k):
    at = p[np.arange(len(p)), labels.astype(int)]
    return ((p > at[:, None]).sum(-1) < k).astype(np.float64)  # ties count as hits


def mean_stat(fn):
    return lambda t, p: (fn(t, p), None)


def confusion(kind, threshold=None, top_k=None, class_id=None):
    def stat(t, p):
        thr = threshold if threshold is not None else (0.5 if top_k is None else -1e10)
        pred = p > thr
        if top_k is not None:
            pred &= rank_ahead(p) < top_k
        actual = t != 0
        if class_id is not None:
            pred, actual = pred[:, class_id:class_id + 1], actual[:, class_id:class_id + 1]
        pred, actual = pred.astype(np.float64), actual.astype(np.float64)
        return (actual, pred) if kind == "precision" else (pred, actual)
    return stat


def unit(x, axis=-1):
    return x / np.maximum(np.sqrt((x**2).sum(axis, keepdims=True)), EPS)


def log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


LO, HI = float(np.float32(EPS)), float(np.float32(1 - EPS))


def ref_bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return (np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))).mean(-1)
    p = np.clip(p, LO, HI)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def ref_cce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[-1]
    log_p = log_softmax(p) if from_logits else np.log(np.clip(p / p.sum(-1, keepdims=True), LO, HI))
    return -(t * log_p).sum(-1)


def hinge_labels(t):
    return 2 * t - 1 if np.isin(t, (0, 1)).all() else t


# (id, class, kwargs, y_true key, y_pred key, reference statistic, finalize)
CASES = [
    ("top_k_default", "TopKCategoricalAccuracy", {}, "onehot", "ties",
     mean_stat(lambda t, p: in_top_k(t.argmax(-1), p, 5)), None),
    ("top_k_1", "TopKCategoricalAccuracy", {"k": 1}, "onehot", "probs",
     mean_stat(lambda t, p: in_top_k(t.argmax(-1), p, 1)), None),
    ("top_k_2_ties", "TopKCategoricalAccuracy", {"k": 2}, "onehot", "ties",
     mean_stat(lambda t, p: in_top_k(t.argmax(-1), p, 2)), None),
    ("sparse_top_k_2", "SparseTopKCategoricalAccuracy", {"k": 2}, "labels", "probs",
     mean_stat(lambda t, p: in_top_k(t, p, 2)), None),
    ("sparse_top_k_3_ties", "SparseTopKCategoricalAccuracy", {"k": 3}, "labels", "ties",
     mean_stat(lambda t, p: in_top_k(t, p, 3)), None),
    ("accuracy", "Accuracy", {}, "ints_t", "ints_p", mean_stat(lambda t, p: (t == p).mean(-1)), None),
    ("mape", "MeanAbsolutePercentageError", {}, "yt", "yp",
     mean_stat(lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1)), None),
    ("msle", "MeanSquaredLogarithmicError", {}, "pos_t", "pos_p",
     mean_stat(lambda t, p: ((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2).mean(-1)), None),
    ("hinge", "Hinge", {}, "multi", "yp",
     mean_stat(lambda t, p: np.maximum(1 - hinge_labels(t) * p, 0).mean(-1)), None),
    ("squared_hinge", "SquaredHinge", {}, "multi", "yp",
     mean_stat(lambda t, p: (np.maximum(1 - hinge_labels(t) * p, 0) ** 2).mean(-1)), None),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot", "yp",
     mean_stat(lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0)), None),
    ("logcosh", "LogCoshError", {}, "yt", "yp", mean_stat(lambda t, p: np.log(np.cosh(p - t)).mean(-1)), None),
    ("poisson", "Poisson", {}, "pos_t", "pos_p", mean_stat(lambda t, p: (p - t * np.log(p + EPS)).mean(-1)), None),
    ("kl_divergence", "KLDivergence", {}, "onehot", "probs",
     mean_stat(lambda t, p: (np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1))).sum(-1)), None),
    ("cosine_similarity", "CosineSimilarity", {}, "yt", "yp",
     mean_stat(lambda t, p: (unit(t) * unit(p)).sum(-1)), None),
    ("binary_crossentropy", "BinaryCrossentropy", {}, "multi", "sig", mean_stat(ref_bce), None),
    ("binary_crossentropy_logits", "BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2},
     "multi", "logits", mean_stat(lambda t, p: ref_bce(t, p, True, 0.2)), None),
    ("categorical_crossentropy", "CategoricalCrossentropy", {}, "onehot", "probs", mean_stat(ref_cce), None),
    ("categorical_crossentropy_logits", "CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     "onehot", "logits", mean_stat(lambda t, p: ref_cce(t, p, True, 0.1)), None),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {}, "labels", "probs",
     mean_stat(lambda t, p: ref_cce(np.eye(C)[t.astype(int)], p)), None),
    ("sparse_categorical_crossentropy_logits", "SparseCategoricalCrossentropy", {"from_logits": True}, "labels",
     "logits", mean_stat(lambda t, p: ref_cce(np.eye(C)[t.astype(int)], p, True)), None),
    ("rmse", "RootMeanSquaredError", {}, "yt", "yp", mean_stat(lambda t, p: ((p - t) ** 2).mean(-1)), np.sqrt),
    ("precision", "Precision", {}, "multi", "sig", confusion("precision"), None),
    ("precision_threshold", "Precision", {"thresholds": 0.3}, "multi", "sig", confusion("precision", 0.3), None),
    ("precision_top_2_ties", "Precision", {"top_k": 2}, "multi", "ties", confusion("precision", top_k=2), None),
    ("precision_class_2", "Precision", {"class_id": 2}, "multi", "sig", confusion("precision", class_id=2), None),
    ("precision_top_2_class_1", "Precision", {"top_k": 2, "class_id": 1}, "multi", "sig",
     confusion("precision", top_k=2, class_id=1), None),
    ("recall", "Recall", {}, "multi", "sig", confusion("recall"), None),
    ("recall_threshold_list", "Recall", {"thresholds": [0.7]}, "multi", "sig", confusion("recall", 0.7), None),
    ("recall_top_3_ties", "Recall", {"top_k": 3}, "multi", "ties", confusion("recall", top_k=3), None),
    ("recall_class_0", "Recall", {"class_id": 0}, "multi", "sig", confusion("recall", class_id=0), None),
]


def expected_over(batches, stat, finalize, weighted):
    num = den = 0.0
    for b, (t_key, p_key) in batches:
        v, w = stat(b[t_key].astype(np.float64), b[p_key].astype(np.float64))
        sw = b["sw"].astype(np.float64) if weighted else np.ones(len(b["sw"]))
        if w is None:
            num, den = num + (v * sw).sum(), den + sw.sum()
        else:
            w = w * sw[:, None]
            num, den = num + (v * w).sum(), den + w.sum()
    r = num / den if den else 0.0
    return finalize(r) if finalize else r


@pytest.mark.parametrize("cls_name, kwargs, t, p, stat, finalize", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
def test_stateful_over_two_batches(cls_name, kwargs, t, p, stat, finalize, weighted):
    m = getattr(keras.metrics, cls_name)(**kwargs)
    for b in (B1, B2):
        m.update_state(b[t], b[p], sample_weight=b["sw"] if weighted else None)
    want = expected_over([(B1, (t, p)), (B2, (t, p))], stat, finalize, weighted)
    np.testing.assert_allclose(m.result(), want, rtol=2e-5, atol=1e-6)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_the_data_exercises_the_rules():
    # ties sit at the k-th place, so the tie rule matters: a tie counts as a hit for the top-k
    # accuracies, and the lower index goes first for Precision/Recall's top_k
    labels = B1["onehot"].argmax(-1)
    at = B1["ties"][np.arange(7), labels]
    assert ((B1["ties"] == at[:, None]).sum(-1) > 1).any()
    assert ((rank_ahead(B1["ties"]) < 2).sum(-1) == 2).all()
    assert not np.allclose(expected_over([(B1, ("multi", "sig"))], confusion("precision"), None, False),
                           expected_over([(B1, ("multi", "sig"))], confusion("recall"), None, False))


# -- values printed by real Keras 3.15.1 (jax backend): two batches with sample weights ---------------
T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
P = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.7, 0.05]], np.float32)
SW = np.array([1.0, 0.5, 2.0], np.float32)
T2 = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]], np.float32)
P2 = np.array([[0.3, 0.6, 0.1], [0.2, 0.4, 0.9]], np.float32)
SW2 = np.array([0.5, 1.5], np.float32)
YT = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0], [1.0, 1.0, 1.0]], np.float32)
YP = np.array([[0.0, 1.5, 2.2], [-1.0, 0.3, -2.0], [4.0, -3.0, 1.0]], np.float32)
REG = ((YT, YP, SW), (YT[:2] * 2, YP[:2], SW2))

KERAS_VALUES = [
    ("top_k_2", lambda M: M.TopKCategoricalAccuracy(k=2), None, 0.6363636),
    ("top_k_1", lambda M: M.TopKCategoricalAccuracy(k=1), None, 0.27272728),
    ("sparse_top_k_2", lambda M: M.SparseTopKCategoricalAccuracy(k=2),
     ((np.array([1, 0, 2]), P, SW), (np.array([2, 0]), P2, SW2)), 0.27272728),
    ("precision", lambda M: M.Precision(), None, 0.44444445),
    ("precision_threshold", lambda M: M.Precision(thresholds=0.35), None, 0.64285713),
    ("precision_top_1", lambda M: M.Precision(top_k=1), None, 0.54545456),
    ("precision_class_1", lambda M: M.Precision(class_id=1), None, 0.0),
    ("recall", lambda M: M.Recall(), None, 0.2857143),
    ("recall_threshold", lambda M: M.Recall(thresholds=0.35), None, 0.64285713),
    ("recall_top_1", lambda M: M.Recall(top_k=1), None, 0.42857143),
    ("recall_class_2", lambda M: M.Recall(class_id=2), None, 0.42857143),
    ("rmse", lambda M: M.RootMeanSquaredError(), REG, 3.0397868),
    ("cosine_similarity", lambda M: M.CosineSimilarity(), REG, 0.2566859),
    ("logcosh", lambda M: M.LogCoshError(), REG, 1.7311711),
    ("accuracy", lambda M: M.Accuracy(),
     ((np.array([[1, 2], [3, 4], [5, 6]]), np.array([[1, 0], [3, 4], [0, 6]]), SW),
      (np.array([[1, 1], [2, 2]]), np.array([[1, 1], [2, 0]]), SW2)), 0.59090906),
]


@pytest.mark.parametrize("make, batches, expected", [c[1:] for c in KERAS_VALUES], ids=[c[0] for c in KERAS_VALUES])
def test_values_from_real_keras(make, batches, expected):
    m = make(keras.metrics)
    for t, p, sw in batches or ((T, P, SW), (T2, P2, SW2)):
        m.update_state(t, p, sample_weight=sw)
    np.testing.assert_allclose(m.result(), expected, rtol=2e-6, atol=1e-7)


def test_mean_and_sum_match_real_keras():
    mean, total = keras.metrics.Mean(), keras.metrics.Sum()
    for m in (mean, total):
        m.update_state([1.0, 3.0, 5.0, 7.0])
        m.update_state([[2.0, 4.0], [6.0, 8.0]], sample_weight=[1.0, 0.5])  # per-sample means 3 and 7
    np.testing.assert_allclose(mean.result(), 4.090909, rtol=1e-6)  # (16 + 3 + 3.5) / (4 + 1.5), Keras too
    np.testing.assert_allclose(total.result(), 29.0, rtol=1e-6)  # 16 + 1 * (2 + 4) + 0.5 * (6 + 8), Keras too
    mean.reset_state()
    assert float(mean.result()) == 0.0
    with pytest.raises(TypeError, match="takes values, not \\(y_true, y_pred\\).*MeanMetricWrapper"):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Activation("linear")])
        model.compile(optimizer="sgd", loss="mse", metrics=[keras.metrics.Mean()])
        model.evaluate(YP, YT, verbose=0)


def test_mean_metric_wrapper():
    m = keras.metrics.MeanMetricWrapper(keras.losses.huber, name="h", delta=0.5)
    assert m.name == "h" and m.get_config()["delta"] == 0.5
    m.update_state(YT, YP, sample_weight=SW)
    per = keras.losses.huber(YT, YP, delta=0.5)
    np.testing.assert_allclose(m.result(), (per * SW).sum() / SW.sum(), rtol=1e-6)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Activation("linear")])
    model.compile(optimizer="sgd", loss="mse", metrics=[m])
    np.testing.assert_allclose(model.evaluate(YP, YT, batch_size=2, verbose=0, return_dict=True)["h"], per.mean(),
                               rtol=1e-6)


# -- through fit and evaluate: Keras's names, values over the whole epoch ------------------------------
def fixed_model(lr=0.0):
    r = np.random.default_rng(4)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="sigmoid")])
    model.set_weights([r.normal(scale=0.8, size=(6, 8)).astype(np.float32),
                       r.normal(scale=0.2, size=(8,)).astype(np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy",
                  metrics=["top_k_categorical_accuracy", keras.metrics.Precision(), keras.metrics.Recall(),
                           keras.metrics.RootMeanSquaredError()])
    return model


X = np.random.default_rng(8).normal(size=(11, 6)).astype(np.float32)
Y = (np.random.default_rng(9).random((11, 8)) > 0.6).astype(np.float32)
NAMES = ["loss", "top_k_categorical_accuracy", "precision", "recall", "root_mean_squared_error"]


def epoch_reference(p, y):
    p, y = p.astype(np.float64), y.astype(np.float64)
    pred, actual = p > 0.5, y != 0
    c = np.clip(p, LO, HI)
    return {
        "loss": (-(y * np.log(c) + (1 - y) * np.log(1 - c))).mean(),
        "top_k_categorical_accuracy": in_top_k(y.argmax(-1), p, 5).mean(),
        "precision": (pred & actual).sum() / pred.sum(),
        "recall": (pred & actual).sum() / actual.sum(),
        "root_mean_squared_error": np.sqrt(((p - y) ** 2).mean()),
    }


def test_fit_and_evaluate_report_epoch_values_under_keras_names():
    """11 samples in batches of 4, 4, 3 (fit) and 5, 5, 1 (evaluate): precision, recall and RMSE
    are ratios over all samples, not means of the batches' ratios. learning_rate=0 keeps the
    weights, so fit's epoch values equal evaluate's."""
    model = fixed_model()
    p = model.predict(X, verbose=0)
    y = Y.copy()  # batches unlike each other: the first almost right, the last mostly wrong
    y[:4], y[8:] = np.round(p[:4]), 1.0 - np.round(p[8:])
    want = epoch_reference(p, y)
    # What averaging each batch's value by its size (the mean metrics' accumulation) would report:
    batches, sizes = (slice(0, 4), slice(4, 8), slice(8, 11)), [4, 4, 3]
    by_batches = np.average([np.sqrt(((p[s] - y[s]) ** 2).mean()) for s in batches], weights=sizes)
    assert abs(by_batches - want["root_mean_squared_error"]) > 2e-4  # 30x the tolerance of the checks below
    pp, aa = p > 0.5, y != 0
    batch_precisions = [(pp[s] & aa[s]).sum() / pp[s].sum() for s in batches]
    assert abs(np.average(batch_precisions, weights=sizes) - want["precision"]) > 1e-3

    history = model.fit(X, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    assert sorted(history) == sorted(NAMES)
    for name in NAMES:
        np.testing.assert_allclose(history[name], [want[name]] * 2, rtol=1e-5, err_msg=name)
    logs = model.evaluate(X, y, batch_size=5, verbose=0, return_dict=True)
    assert list(logs) == NAMES and model.metrics_names == NAMES
    for name in NAMES:
        np.testing.assert_allclose(logs[name], want[name], rtol=1e-5, err_msg=name)
    as_list = model.evaluate(X, y, batch_size=5, verbose=0)
    np.testing.assert_allclose(as_list, [want[n] for n in NAMES], rtol=1e-5)


def test_validation_logs_and_train_on_batch():
    model = fixed_model()
    history = model.fit(X[:7], Y[:7], batch_size=3, epochs=1, validation_data=(X[7:], Y[7:]), shuffle=False,
                        verbose=0).history
    val = epoch_reference(model.predict(X[7:], verbose=0), Y[7:])
    for name in NAMES:
        np.testing.assert_allclose(history[f"val_{name}"][0], val[name], rtol=1e-5, err_msg=name)
    logs = model.train_on_batch(X[:5], Y[:5], return_dict=True)
    first = epoch_reference(model.predict(X[:5], verbose=0), Y[:5])
    for name in NAMES:
        np.testing.assert_allclose(logs[name], first[name], rtol=1e-5, err_msg=name)


def test_metrics_with_a_training_model_are_taken_before_each_update():
    """With a real step the epoch's precision is the ratio of the counts of each batch's
    forward pass (before that batch's update), as in Keras."""
    model = fixed_model(lr=0.5)
    kernel, bias = model.get_weights()
    tp = pos = 0.0
    for s in (slice(0, 4), slice(4, 8), slice(8, 11)):
        p = model.predict(X[s], verbose=0) > 0.5
        tp, pos = tp + (p & (Y[s] != 0)).sum(), pos + p.sum()
        model.train_on_batch(X[s], Y[s])
    model.set_weights([kernel, bias])
    history = model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["precision"][0], tp / pos, rtol=1e-6)


def test_multi_output_metric_names():
    inp = keras.Input((6,))
    a = keras.layers.Dense(8, activation="sigmoid", name="a")(inp)
    b = keras.layers.Dense(8, activation="sigmoid", name="b")(inp)
    model = keras.Model(inp, [a, b])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[["precision"], ["root_mean_squared_error"]])
    logs = model.evaluate(X, [Y, Y], batch_size=4, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "a_loss", "b_loss", "a_precision", "b_root_mean_squared_error"]
    pa, pb = model.predict(X, verbose=0)
    np.testing.assert_allclose(logs["a_precision"], ((pa > 0.5) & (Y != 0)).sum() / (pa > 0.5).sum(), rtol=1e-5)
    np.testing.assert_allclose(logs["b_root_mean_squared_error"], np.sqrt(((pb - Y) ** 2).mean()), rtol=1e-5)


# -- names ----------------------------------------------------------------------------------------------
STRINGS = [
    ("top_k_categorical_accuracy", lambda t, p: in_top_k(t.argmax(-1), p, 5).mean()),
    ("TopKCategoricalAccuracy", lambda t, p: in_top_k(t.argmax(-1), p, 5).mean()),
    ("precision", lambda t, p: ((p > 0.5) & (t != 0)).sum() / (p > 0.5).sum()),
    ("recall", lambda t, p: ((p > 0.5) & (t != 0)).sum() / (t != 0).sum()),
    ("root_mean_squared_error", lambda t, p: np.sqrt(((p - t) ** 2).mean())),
    ("cosine_similarity", lambda t, p: (unit(t) * unit(p)).sum(-1).mean()),
    ("mape", lambda t, p: (100 * np.abs((t - p) / np.maximum(np.abs(t), EPS))).mean()),
    ("log_cosh_error", lambda t, p: np.log(np.cosh(p - t)).mean()),
    ("logcosh", lambda t, p: np.log(np.cosh(p - t)).mean()),
    ("categorical_hinge", lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0).mean()),
]
# the log key: Keras 3 keeps a lower-case string; a class name gives the metric's own name
KEYS = {"TopKCategoricalAccuracy": "top_k_categorical_accuracy"}


@pytest.mark.parametrize("name, ref", STRINGS, ids=[s[0] for s in STRINGS])
def test_names_resolve_by_string(name, ref):
    t, p = B1["multi"], B1["sig"]
    model = keras.Sequential([keras.Input((C,)), keras.layers.Activation("linear")])
    model.compile(optimizer="sgd", loss="mse", metrics=[name])
    logs = model.evaluate(p, t, batch_size=3, verbose=0, return_dict=True)
    key = KEYS.get(name, name)
    assert list(logs) == ["loss", key]
    np.testing.assert_allclose(logs[key], ref(t.astype(np.float64), p.astype(np.float64)), rtol=1e-5)


def test_sparse_top_k_by_string_with_integer_labels():
    model = keras.Sequential([keras.Input((C,)), keras.layers.Activation("linear")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_top_k_categorical_accuracy",
                           keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top_2")])
    for labels in (B1["labels"], B1["labels"].reshape(-1, 1)):
        logs = model.evaluate(B1["probs"], labels, batch_size=3, verbose=0, return_dict=True)
        assert list(logs) == ["loss", "sparse_top_k_categorical_accuracy", "top_2"]
        np.testing.assert_allclose(list(logs.values())[1:], [in_top_k(B1["labels"], B1["probs"], 5).mean(),
                                              in_top_k(B1["labels"], B1["probs"], 2).mean()], rtol=1e-6)
    assert in_top_k(B1["labels"], B1["probs"], 2).mean() < 1.0


def test_default_names():
    M = keras.metrics
    made = [M.TopKCategoricalAccuracy(), M.SparseTopKCategoricalAccuracy(), M.Accuracy(), M.Precision(), M.Recall(),
            M.RootMeanSquaredError(), M.MeanAbsolutePercentageError(), M.MeanSquaredLogarithmicError(), M.Hinge(),
            M.SquaredHinge(), M.CategoricalHinge(), M.LogCoshError(), M.Poisson(), M.KLDivergence(),
            M.CosineSimilarity(), M.BinaryCrossentropy(), M.CategoricalCrossentropy(),
            M.SparseCategoricalCrossentropy(), M.Mean(), M.Sum()]
    assert [m.name for m in made] == [
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "accuracy", "precision", "recall",
        "root_mean_squared_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "hinge",
        "squared_hinge", "categorical_hinge", "logcosh", "poisson", "kl_divergence", "cosine_similarity",
        "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "mean", "sum"]


def test_functions():
    M = keras.metrics
    np.testing.assert_allclose(M.top_k_categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3]],
                                                            k=2), [0.0, 1.0])
    np.testing.assert_allclose(M.sparse_top_k_categorical_accuracy([2, 1], [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3]], k=2),
                               [0.0, 1.0])
    np.testing.assert_allclose(M.sparse_top_k_categorical_accuracy([2, 1], [[0, 1, 2], [2, 1, 0]], k=2,
                                                                   from_sorted_ids=True), [0.0, 1.0])
    np.testing.assert_allclose(M.cosine_similarity([[1.0, 1.0]], [[2.0, 2.0]]), [1.0], rtol=1e-6)


# -- config round trips ------------------------------------------------------------------------------
CONFIGS = [
    ("TopKCategoricalAccuracy", {"k": 3}),
    ("SparseTopKCategoricalAccuracy", {"k": 2}),
    ("Precision", {"thresholds": 0.3, "top_k": 2, "class_id": 1}),
    ("Recall", {"thresholds": [0.6], "class_id": 0}),
    ("RootMeanSquaredError", {}),
    ("CosineSimilarity", {"axis": -1}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2, "axis": -1}),
    ("LogCoshError", {}),
    ("Accuracy", {}),
]


@pytest.mark.parametrize("cls_name, kwargs", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_config_round_trip(cls_name, kwargs):
    m = getattr(keras.metrics, cls_name)(name="mine", **kwargs)
    config = m.get_config()
    assert config["name"] == "mine" and config["dtype"] == "float32"
    assert all(config[k] == v for k, v in kwargs.items())
    for again in (type(m).from_config(config), keras.metrics.get({"class_name": cls_name, "config": config})):
        assert type(again) is type(m) and again.get_config() == config
        t, p = ("labels", "probs") if "Sparse" in cls_name else ("multi", "sig")
        m.reset_state()
        m.update_state(B1[t], B1[p])
        again.update_state(B1[t], B1[p])
        np.testing.assert_allclose(again.result(), m.result(), rtol=1e-6)


# -- bad arguments --------------------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, match", [
    (lambda: keras.metrics.TopKCategoricalAccuracy(k=0), ValueError,
     r"TopKCategoricalAccuracy expects k to be a positive integer .* but got k=0"),
    (lambda: keras.metrics.SparseTopKCategoricalAccuracy(k=2.5), ValueError, r"k=2.5"),
    (lambda: keras.metrics.top_k_categorical_accuracy(B1["onehot"], B1["probs"], k=-1), ValueError,
     r"top_k_categorical_accuracy expects k .* k=-1"),
    (lambda: keras.metrics.Precision(top_k=0), ValueError, r"Precision expects k to be a positive integer"),
    (lambda: keras.metrics.Recall(thresholds=1.5), ValueError,
     r"Recall expects thresholds to be a number in \[0, 1\].*thresholds=1.5"),
    (lambda: keras.metrics.Precision(class_id=-1), ValueError, r"class_id=-1"),
    (lambda: keras.metrics.Precision(class_id=7).update_state(B1["multi"], B1["sig"]), ValueError,
     r"Precision\(class_id=7\) needs predictions with more than 7 classes"),
    (lambda: keras.metrics.Precision(thresholds=[0.3, 0.5]), NotImplementedError, r"one threshold per metric"),
    (lambda: keras.metrics.CosineSimilarity(axis="x"), TypeError, r"axis to be an int"),
], ids=["top_k_zero", "sparse_top_k_float", "top_k_fn", "precision_top_k", "recall_threshold", "class_id_negative",
        "class_id_too_big", "several_thresholds", "cosine_axis"])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()
