"""Losses against float64 numpy transcriptions of Keras's formulas (epsilon 1e-7), eagerly on
numpy arrays and through a compiled model; resolution by name, alias, function and class;
reductions and sample weights on Loss objects."""

import numpy as np
import pytest

import horn as keras

EPS = 1e-7
# Probabilities are clipped to [eps, 1 - eps] in float32, as Keras's float32 tensors hold them:
# float32(1 - 1e-7) is 1 - 1.19e-7, so -log(1 - p) at p = 1 is 15.94, not 16.12.
LO, HI = float(np.float32(EPS)), float(np.float32(1.0 - EPS))


# -- float64 references ----------------------------------------------------------------------
def ref_mse(t, p):
    return np.mean((p - t) ** 2, axis=-1)


def ref_mae(t, p):
    return np.mean(np.abs(p - t), axis=-1)


def ref_mape(t, p):
    return 100.0 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1)


def ref_msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1.0) - np.log(np.maximum(t, EPS) + 1.0)) ** 2, axis=-1)


def log_softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def ref_bce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per = np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p)))
    else:
        p = np.clip(p, LO, HI)
        per = -(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
    return per.mean(axis=-1)


def ref_cce(t, p, from_logits=False, label_smoothing=0.0):
    t = t * (1.0 - label_smoothing) + label_smoothing / p.shape[-1]
    if from_logits:
        log_p = log_softmax(p)
    else:
        log_p = np.log(np.clip(p / p.sum(axis=-1, keepdims=True), LO, HI))
    return -(t * log_p).sum(axis=-1)


def ref_scce(labels, p, from_logits=False):
    labels = labels.reshape(-1).astype(int)
    return ref_cce(np.eye(p.shape[-1])[labels], p, from_logits=from_logits)


def hinge_labels(t):
    return 2.0 * t - 1.0 if np.isin(t, (0.0, 1.0)).all() else t


def ref_hinge(t, p):
    return np.mean(np.maximum(1.0 - hinge_labels(t) * p, 0.0), axis=-1)


def ref_squared_hinge(t, p):
    return np.mean(np.maximum(1.0 - hinge_labels(t) * p, 0.0) ** 2, axis=-1)


def ref_kld(t, p):
    t, p = np.clip(t, EPS, 1.0), np.clip(p, EPS, 1.0)
    return np.sum(t * np.log(t / p), axis=-1)


def ref_poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


# -- data (6 samples, 3 columns) ---------------------------------------------------------------
rng = np.random.default_rng(0)
N, C = 6, 3
REAL_T = rng.normal(size=(N, C)).astype(np.float32)
REAL_P = rng.normal(size=(N, C)).astype(np.float32)
POS_T = rng.uniform(0.1, 3.0, size=(N, C)).astype(np.float32)
POS_P = rng.uniform(0.1, 3.0, size=(N, C)).astype(np.float32)
LOGITS = (3.0 * rng.normal(size=(N, C))).astype(np.float32)
LABELS = np.array([0, 2, 1, 1, 0, 2])
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
PROBS = np.exp(log_softmax(LOGITS.astype(np.float64))).astype(np.float32)
# Rows that do not sum to 1 (renormalized by Keras), and rows with exact 0s and 1s (clipped).
UNNORMALIZED = np.array(
    [[0.2, 0.8, 1.0], [2.0, 1.0, 1.0], [0.5, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], np.float32
)
BINARY_T = (rng.uniform(size=(N, C)) > 0.5).astype(np.float32)
BINARY_P = np.array(
    [[0.1, 0.9, 0.5], [0.0, 1.0, 0.3], [1.0, 0.0, 0.7], [0.25, 0.75, 0.99], [1e-9, 1.0 - 1e-9, 0.6], [0.4, 0.2, 0.8]],
    np.float32,
)
SIGNED_T = np.where(BINARY_T > 0, 1.0, -1.0).astype(np.float32)
DIST_T = PROBS[::-1].copy()
DIST_T[0] = [1.0, 0.0, 0.0]  # a zero in the target (clipped to eps)
MAPE_T = REAL_T.copy()
MAPE_T[1, 2] = 0.0  # max(|t|, eps) in the denominator
MSLE_P = POS_P.copy()
MSLE_P[2, 0] = -0.5  # max(p, eps) before the log


# (id, function name, class name, kwargs, y_true, y_pred, reference)
CASES = [
    ("mse", "mean_squared_error", "MeanSquaredError", {}, REAL_T, REAL_P, ref_mse),
    ("mae", "mean_absolute_error", "MeanAbsoluteError", {}, REAL_T, REAL_P, ref_mae),
    ("mape", "mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, MAPE_T, REAL_P, ref_mape),
    ("msle", "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, POS_T, MSLE_P, ref_msle),
    ("bce", "binary_crossentropy", "BinaryCrossentropy", {}, BINARY_T, BINARY_P, ref_bce),
    ("bce_logits", "binary_crossentropy", "BinaryCrossentropy", {"from_logits": True}, BINARY_T, LOGITS, ref_bce),
    (
        "bce_smoothing",
        "binary_crossentropy",
        "BinaryCrossentropy",
        {"label_smoothing": 0.2},
        BINARY_T,
        BINARY_P,
        ref_bce,
    ),
    (
        "bce_logits_smoothing",
        "binary_crossentropy",
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        BINARY_T,
        LOGITS,
        ref_bce,
    ),
    ("cce", "categorical_crossentropy", "CategoricalCrossentropy", {}, ONE_HOT, PROBS, ref_cce),
    (
        "cce_unnormalized_clipped",
        "categorical_crossentropy",
        "CategoricalCrossentropy",
        {},
        ONE_HOT,
        UNNORMALIZED,
        ref_cce,
    ),
    ("cce_soft_targets", "categorical_crossentropy", "CategoricalCrossentropy", {}, DIST_T, UNNORMALIZED, ref_cce),
    (
        "cce_logits",
        "categorical_crossentropy",
        "CategoricalCrossentropy",
        {"from_logits": True},
        ONE_HOT,
        LOGITS,
        ref_cce,
    ),
    (
        "cce_smoothing",
        "categorical_crossentropy",
        "CategoricalCrossentropy",
        {"label_smoothing": 0.1},
        ONE_HOT,
        UNNORMALIZED,
        ref_cce,
    ),
    (
        "cce_logits_smoothing",
        "categorical_crossentropy",
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.3},
        ONE_HOT,
        LOGITS,
        ref_cce,
    ),
    (
        "scce",
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        {},
        LABELS.astype(np.float32),
        UNNORMALIZED,
        ref_scce,
    ),
    (
        "scce_n1",
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        {},
        LABELS.reshape(N, 1).astype(np.float32),
        PROBS,
        ref_scce,
    ),
    (
        "scce_logits",
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        LABELS.astype(np.float32),
        LOGITS,
        ref_scce,
    ),
    (
        "scce_n1_logits",
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        LABELS.reshape(N, 1).astype(np.float32),
        LOGITS,
        ref_scce,
    ),
    ("hinge", "hinge", "Hinge", {}, SIGNED_T, REAL_P, ref_hinge),
    ("hinge_01_labels", "hinge", "Hinge", {}, BINARY_T, REAL_P, ref_hinge),
    ("squared_hinge", "squared_hinge", "SquaredHinge", {}, SIGNED_T, REAL_P, ref_squared_hinge),
    ("squared_hinge_01_labels", "squared_hinge", "SquaredHinge", {}, BINARY_T, REAL_P, ref_squared_hinge),
    ("kld", "kl_divergence", "KLDivergence", {}, DIST_T, PROBS, ref_kld),
    ("poisson", "poisson", "Poisson", {}, POS_T, POS_P, ref_poisson),
]
IDS = [c[0] for c in CASES]
PARAMS = [c[1:] for c in CASES]


def reference(ref, t, p, kwargs):
    return ref(t.astype(np.float64), p.astype(np.float64), **kwargs)


def identity_model():
    return keras.Sequential([keras.Input((C,)), keras.layers.Activation("linear")])


def test_edge_cases_are_exercised():
    """The clipping cases really hit the clip bounds (without them the references differ)."""
    assert ((UNNORMALIZED == 0) & (ONE_HOT == 1)).any() and not np.allclose(UNNORMALIZED.sum(-1), 1.0)
    assert ((BINARY_P == 0) | (BINARY_P == 1)).any()
    assert not np.isin(REAL_T, (0.0, 1.0)).all() and np.isin(BINARY_T, (0.0, 1.0)).all()
    # 0/1 hinge labels are converted: the unconverted formula gives other values.
    assert not np.allclose(ref_hinge(BINARY_T, REAL_P), np.mean(np.maximum(1 - BINARY_T * REAL_P, 0), -1))


@pytest.mark.parametrize("fn_name, cls_name, kwargs, t, p, ref", PARAMS, ids=IDS)
def test_function_eagerly_on_numpy(fn_name, cls_name, kwargs, t, p, ref):
    out = getattr(keras.losses, fn_name)(t, p, **kwargs)
    assert isinstance(out, np.ndarray) and out.shape == (N,)
    np.testing.assert_allclose(out, reference(ref, t, p, kwargs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn_name, cls_name, kwargs, t, p, ref", PARAMS, ids=IDS)
def test_loss_object_eagerly_on_numpy(fn_name, cls_name, kwargs, t, p, ref):
    out = getattr(keras.losses, cls_name)(**kwargs)(t, p)
    assert isinstance(out, (np.ndarray, np.generic)) and np.shape(out) == ()
    np.testing.assert_allclose(out, reference(ref, t, p, kwargs).mean(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn_name, cls_name, kwargs, t, p, ref", PARAMS, ids=IDS)
def test_compiled_model_evaluate(fn_name, cls_name, kwargs, t, p, ref):
    """The loss through a compiled program: evaluate() of a model that outputs its input, in
    batches of 4 and 2 (the mean over all 6 samples)."""
    model = identity_model()
    model.compile(optimizer="sgd", loss=getattr(keras.losses, cls_name)(**kwargs))
    expected = reference(ref, t, p, kwargs).mean()
    np.testing.assert_allclose(model.evaluate(p, t, batch_size=4, verbose=0), expected, rtol=1e-5, atol=1e-6)
    if not kwargs:  # the same by name
        model.compile(optimizer="sgd", loss=fn_name)
        np.testing.assert_allclose(model.evaluate(p, t, batch_size=4, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_keras_documented_hinge_values():
    """Keras's Hinge docstring: 0/1 labels become -1/1."""
    t = np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)
    p = np.array([[0.6, 0.4], [0.4, 0.6]], np.float32)
    np.testing.assert_allclose(keras.losses.Hinge()(t, p), 1.3, rtol=1e-6)
    np.testing.assert_allclose(keras.losses.Hinge()(t, p, sample_weight=np.array([1.0, 0.0])), 0.55, rtol=1e-6)
    np.testing.assert_allclose(keras.losses.Hinge(reduction="sum")(t, p), 2.6, rtol=1e-6)
    np.testing.assert_allclose(keras.losses.squared_hinge(t, p), [1.46, 2.26], rtol=1e-6)


# -- resolution ------------------------------------------------------------------------------
RESOLVE_CASES = [
    ("mse", ref_mse, REAL_T, REAL_P),
    ("MSE", ref_mse, REAL_T, REAL_P),
    ("mae", ref_mae, REAL_T, REAL_P),
    ("MAE", ref_mae, REAL_T, REAL_P),
    ("mape", ref_mape, MAPE_T, REAL_P),
    ("msle", ref_msle, POS_T, MSLE_P),
    ("kld", ref_kld, DIST_T, PROBS),
    ("KLD", ref_kld, DIST_T, PROBS),
    ("kullback_leibler_divergence", ref_kld, DIST_T, PROBS),
    ("categorical_crossentropy", ref_cce, ONE_HOT, UNNORMALIZED),
    ("CategoricalCrossentropy", ref_cce, ONE_HOT, UNNORMALIZED),
    ("MeanSquaredError", ref_mse, REAL_T, REAL_P),
]


@pytest.mark.parametrize("name, ref, t, p", RESOLVE_CASES, ids=[c[0] for c in RESOLVE_CASES])
def test_resolution_by_string(name, ref, t, p):
    expected = reference(ref, t, p, {}).mean()
    loss = keras.losses.get(name)
    assert isinstance(loss, keras.losses.Loss)
    np.testing.assert_allclose(loss(t, p), expected, rtol=1e-5, atol=1e-6)
    model = identity_model()
    model.compile(optimizer="sgd", loss=name)
    np.testing.assert_allclose(model.evaluate(p, t, verbose=0), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "identifier",
    [
        keras.losses.categorical_crossentropy,
        keras.losses.CategoricalCrossentropy(),
        keras.losses.CategoricalCrossentropy,
        {"class_name": "CategoricalCrossentropy", "config": {}},
    ],
    ids=["function", "object", "class", "config"],
)
def test_resolution_by_function_object_class(identifier):
    expected = ref_cce(ONE_HOT.astype(np.float64), UNNORMALIZED.astype(np.float64)).mean()
    np.testing.assert_allclose(keras.losses.get(identifier)(ONE_HOT, UNNORMALIZED), expected, rtol=1e-5)
    if isinstance(identifier, dict):  # in compile() a dict means one loss per output
        return
    model = identity_model()
    model.compile(optimizer="sgd", loss=identifier)
    np.testing.assert_allclose(model.evaluate(UNNORMALIZED, ONE_HOT, verbose=0), expected, rtol=1e-5)


def test_custom_function_as_loss():
    def doubled_mae(y_true, y_pred):
        return keras.ops.multiply(2.0, keras.losses.mean_absolute_error(y_true, y_pred))

    model = identity_model()
    model.compile(optimizer="sgd", loss=doubled_mae)
    np.testing.assert_allclose(
        model.evaluate(REAL_P, REAL_T, verbose=0), 2 * ref_mae(REAL_T.astype(np.float64), REAL_P).mean(), rtol=1e-5
    )


def test_unknown_loss_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        keras.losses.get("categorical_crosentropy")
    model = identity_model()
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        model.compile(optimizer="sgd", loss="categorical_crosentropy")


# -- reductions and sample weights (Loss objects, eagerly) ------------------------------------
@pytest.mark.parametrize(
    "cls_name, kwargs, t, p, ref",
    [
        ("MeanSquaredError", {}, REAL_T, REAL_P, ref_mse),
        ("CategoricalCrossentropy", {"label_smoothing": 0.1}, ONE_HOT, UNNORMALIZED, ref_cce),
        ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS.astype(np.float32), LOGITS, ref_scce),
        ("BinaryCrossentropy", {}, BINARY_T, BINARY_P, ref_bce),
    ],
    ids=["mse", "cce", "scce", "bce"],
)
def test_reductions_and_sample_weight(cls_name, kwargs, t, p, ref):
    cls = getattr(keras.losses, cls_name)
    per_sample = reference(ref, t, p, kwargs)
    sw = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0], np.float32)

    none = cls(reduction="none", **kwargs)(t, p)
    assert none.shape == (N,)
    np.testing.assert_allclose(none, per_sample, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls(reduction="sum", **kwargs)(t, p), per_sample.sum(), rtol=1e-5)
    np.testing.assert_allclose(cls(**kwargs)(t, p), per_sample.mean(), rtol=1e-5)
    np.testing.assert_allclose(cls(reduction="sum_over_batch_size", **kwargs)(t, p), per_sample.mean(), rtol=1e-5)

    # Weighted: Keras 3 divides the weighted sum by the number of samples (not by sum(sw)).
    np.testing.assert_allclose(cls(**kwargs)(t, p, sample_weight=sw), (per_sample * sw).sum() / N, rtol=1e-5)
    np.testing.assert_allclose(
        cls(**kwargs)(t, p, sample_weight=sw.reshape(N, 1)), (per_sample * sw).sum() / N, rtol=1e-5
    )
    np.testing.assert_allclose(
        cls(reduction="sum", **kwargs)(t, p, sample_weight=sw), (per_sample * sw).sum(), rtol=1e-5
    )
    np.testing.assert_allclose(
        cls(reduction="none", **kwargs)(t, p, sample_weight=sw), per_sample * sw, rtol=1e-5, atol=1e-6
    )


def test_unknown_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        keras.losses.MeanSquaredError(reduction="average")


def test_python_lists_are_accepted():
    """As in Keras's docstrings: keras.losses.mean_squared_error([[0., 1.]], [[1., 1.]])."""
    np.testing.assert_allclose(
        keras.losses.mean_squared_error([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]), [0.5, 0.5]
    )
    np.testing.assert_allclose(
        keras.losses.MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]], sample_weight=[0.8, 0.2]),
        0.25,
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        keras.losses.sparse_categorical_crossentropy([1, 2], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]),
        [-np.log(0.95), -np.log(0.1)],
        rtol=1e-5,
    )


@pytest.mark.parametrize(
    "alias, fn",
    [
        ("mse", "mean_squared_error"),
        ("MSE", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("mape", "mean_absolute_percentage_error"),
        ("msle", "mean_squared_logarithmic_error"),
        ("kld", "kl_divergence"),
        ("kullback_leibler_divergence", "kl_divergence"),
    ],
)
def test_module_level_aliases(alias, fn):
    assert getattr(keras.losses, alias) is getattr(keras.losses, fn)
