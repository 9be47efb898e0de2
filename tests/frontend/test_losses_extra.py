"""Huber, LogCosh, CosineSimilarity, CategoricalHinge and the focal cross-entropies: against
float64 numpy transcriptions of Keras 3's formulas (several argument sets, sample weights,
reductions), values printed by real Keras 3.15.1, resolution by name and alias (as losses and as
metrics), gradients through a training step against finite differences, config round trips and
errors for bad arguments."""

import numpy as np
import pytest

import horn as keras

EPS = 1e-7
LO, HI = float(np.float32(EPS)), float(np.float32(1.0 - EPS))  # the clip bounds as float32 holds them


# -- float64 references ------------------------------------------------------------------------
def ref_huber(t, p, delta=1.0):
    e = p - t
    return np.where(np.abs(e) <= delta, 0.5 * e**2, delta * np.abs(e) - 0.5 * delta**2).mean(-1)


def ref_log_cosh(t, p):
    return np.log(np.cosh(p - t)).mean(-1)


def ref_cosine(t, p, axis=-1):
    def unit(x):
        return x / np.maximum(np.sqrt((x**2).sum(axis, keepdims=True)), EPS)

    return -(unit(t) * unit(p)).sum(axis)


def ref_categorical_hinge(t, p):
    return np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1.0, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def ref_bfce(t, p, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + 0.5 * label_smoothing
    p = sigmoid(p) if from_logits else p
    c = np.clip(p, LO, HI)
    bce = -(t * np.log(c) + (1 - t) * np.log(1 - c))
    p_t = t * p + (1 - t) * (1 - p)
    out = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        out = (t * alpha + (1 - t) * (1 - alpha)) * out
    return out.mean(-1)


def ref_cfce(t, p, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0):
    t = t * (1 - label_smoothing) + label_smoothing / p.shape[-1]
    p = softmax(p) if from_logits else p
    p = np.clip(p / p.sum(-1, keepdims=True), LO, HI)
    return (np.asarray(alpha) * (1 - p) ** gamma * -(t * np.log(p))).sum(-1)


# -- data --------------------------------------------------------------------------------------
rng = np.random.default_rng(3)
N, C = 6, 4
REAL_T = rng.normal(scale=2.0, size=(N, C)).astype(np.float32)
REAL_P = (REAL_T + rng.normal(scale=1.5, size=(N, C))).astype(np.float32)
REAL_P[0, 0] += 30.0  # a large error: Huber's linear part, log_cosh far from its quadratic region
LABELS = rng.integers(0, C, size=N)
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
MULTI = (rng.random((N, C)) > 0.5).astype(np.float32)
PROBS = softmax(rng.normal(scale=2.0, size=(N, C))).astype(np.float32)
PROBS[0] = [0.0, 1.0, 0.0, 0.0]  # hits the clip bounds
SIG = rng.random((N, C)).astype(np.float32)
SIG[1, :2] = [0.0, 1.0]
LOGITS = rng.normal(scale=2.0, size=(N, C)).astype(np.float32)
SW = np.array([1.0, 0.0, 2.0, 0.5, 1.0, 3.0], np.float32)

# (id, function, class, kwargs, y_true, y_pred, reference)
CASES = [
    ("huber", "huber", "Huber", {}, REAL_T, REAL_P, ref_huber),
    ("huber_delta_0.5", "huber", "Huber", {"delta": 0.5}, REAL_T, REAL_P, ref_huber),
    ("huber_delta_3", "huber", "Huber", {"delta": 3.0}, REAL_T, REAL_P, ref_huber),
    ("log_cosh", "log_cosh", "LogCosh", {}, REAL_T, REAL_P, ref_log_cosh),
    ("cosine", "cosine_similarity", "CosineSimilarity", {}, REAL_T, REAL_P, ref_cosine),
    ("cosine_one_hot", "cosine_similarity", "CosineSimilarity", {}, ONE_HOT, PROBS, ref_cosine),
    ("categorical_hinge", "categorical_hinge", "CategoricalHinge", {}, ONE_HOT, REAL_P, ref_categorical_hinge),
    ("categorical_hinge_probs", "categorical_hinge", "CategoricalHinge", {}, ONE_HOT, PROBS, ref_categorical_hinge),
    ("bfce", "binary_focal_crossentropy", "BinaryFocalCrossentropy", {}, MULTI, SIG, ref_bfce),
    ("bfce_balanced", "binary_focal_crossentropy", "BinaryFocalCrossentropy",
     {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5}, MULTI, SIG, ref_bfce),
    ("bfce_gamma_0", "binary_focal_crossentropy", "BinaryFocalCrossentropy", {"gamma": 0.0}, MULTI, SIG, ref_bfce),
    ("bfce_logits_smoothing", "binary_focal_crossentropy", "BinaryFocalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.1, "apply_class_balancing": True}, MULTI, LOGITS, ref_bfce),
    ("cfce", "categorical_focal_crossentropy", "CategoricalFocalCrossentropy", {}, ONE_HOT, PROBS, ref_cfce),
    ("cfce_alpha_per_class", "categorical_focal_crossentropy", "CategoricalFocalCrossentropy",
     {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 3.0}, ONE_HOT, PROBS, ref_cfce),
    ("cfce_logits_smoothing", "categorical_focal_crossentropy", "CategoricalFocalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.2, "gamma": 0.5}, ONE_HOT, LOGITS, ref_cfce),
]
IDS = [c[0] for c in CASES]
PARAMS = [c[1:] for c in CASES]


def reference(ref, t, p, kwargs):
    return ref(t.astype(np.float64), p.astype(np.float64), **kwargs)


def test_edge_cases_are_exercised():
    e = np.abs(REAL_P - REAL_T)
    assert (e > 3.0).any() and (e < 0.5).any()  # both sides of every delta
    assert (PROBS == 0).any() and (SIG == 1).any()  # the clip bounds
    # gamma matters: the focal loss is not the plain cross-entropy on this data
    assert not np.allclose(ref_bfce(MULTI, SIG), ref_bfce(MULTI, SIG, gamma=0.0))


@pytest.mark.parametrize("fn_name, cls_name, kwargs, t, p, ref", PARAMS, ids=IDS)
def test_function_eagerly_on_numpy(fn_name, cls_name, kwargs, t, p, ref):
    out = getattr(keras.losses, fn_name)(t, p, **kwargs)
    assert out.shape == (N,)
    np.testing.assert_allclose(out, reference(ref, t, p, kwargs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn_name, cls_name, kwargs, t, p, ref", PARAMS, ids=IDS)
def test_loss_object_reductions_and_sample_weight(fn_name, cls_name, kwargs, t, p, ref):
    cls = getattr(keras.losses, cls_name)
    per_sample = reference(ref, t, p, kwargs)
    np.testing.assert_allclose(cls(**kwargs)(t, p), per_sample.mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls(reduction="sum", **kwargs)(t, p), per_sample.sum(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls(reduction="none", **kwargs)(t, p), per_sample, rtol=1e-5, atol=1e-6)
    # Keras 3: the weighted sum divided by the number of samples.
    np.testing.assert_allclose(cls(**kwargs)(t, p, sample_weight=SW), (per_sample * SW).sum() / N,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn_name, cls_name, kwargs, t, p, ref", PARAMS, ids=IDS)
def test_compiled_model_evaluate_with_sample_weights(fn_name, cls_name, kwargs, t, p, ref):
    """Through the compiled evaluation program, in batches of 4 and 2."""
    model = keras.Sequential([keras.Input((C,)), keras.layers.Activation("linear")])
    model.compile(optimizer="sgd", loss=getattr(keras.losses, cls_name)(**kwargs))
    per_sample = reference(ref, t, p, kwargs)
    np.testing.assert_allclose(model.evaluate(p, t, batch_size=4, verbose=0), per_sample.mean(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.evaluate(p, t, batch_size=4, sample_weight=SW, verbose=0),
                               (per_sample * SW).mean(), rtol=1e-5, atol=1e-6)


def test_cosine_similarity_along_another_axis():
    out = keras.losses.cosine_similarity(REAL_T, REAL_P, axis=0)
    assert out.shape == (C,)
    np.testing.assert_allclose(out, ref_cosine(REAL_T.astype(np.float64), REAL_P, axis=0), rtol=1e-5)
    np.testing.assert_allclose(keras.losses.CosineSimilarity(axis=0, reduction="sum")(REAL_T, REAL_P),
                               ref_cosine(REAL_T.astype(np.float64), REAL_P, axis=0).sum(), rtol=1e-5)


def test_log_cosh_is_finite_for_large_errors():
    out = keras.losses.log_cosh(np.zeros((2, 1), np.float32), np.array([[200.0], [-200.0]], np.float32))
    np.testing.assert_allclose(out, [200 - np.log(2)] * 2, rtol=1e-6)  # cosh(200) overflows float32


# -- values printed by real Keras 3.15.1 (jax backend) on the data below -------------------------
T3 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
P3 = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3], [0.25, 0.7, 0.05]], np.float32)
YT3 = np.array([[0.5, -1.0, 2.0], [3.0, 0.0, -2.0], [1.0, 1.0, 1.0]], np.float32)
YP3 = np.array([[0.0, 1.5, 2.2], [-1.0, 0.3, -2.0], [4.0, -3.0, 1.0]], np.float32)
SW3 = np.array([1.0, 0.5, 2.0], np.float32)

KERAS_VALUES = [
    ("Huber", lambda L: L.Huber()(YT3, YP3, sample_weight=SW3), 1.7686111),
    ("Huber_delta", lambda L: L.Huber(delta=0.5, reduction="none")(YT3, YP3), [0.42333335, 0.64, 1.0833334]),
    ("LogCosh", lambda L: L.LogCosh()(YT3, YP3, sample_weight=SW3), 1.6513723),
    ("log_cosh", lambda L: L.log_cosh(YT3, YP3), [0.6511836, 1.1171765, 1.8721724]),
    ("CosineSimilarity", lambda L: L.CosineSimilarity()(YT3, YP3, sample_weight=SW3), -0.3299025),
    ("cosine_similarity", lambda L: L.cosine_similarity(YT3, YP3), [-0.47533008, -0.12293327, -0.22645542]),
    ("CategoricalHinge", lambda L: L.CategoricalHinge()(T3, P3, sample_weight=SW3), 1.4833332),
    ("categorical_hinge", lambda L: L.categorical_hinge(T3, YP3), [1.7, 2.3, 4.0]),
    ("BinaryFocalCrossentropy", lambda L: L.BinaryFocalCrossentropy()(T3, P3, sample_weight=SW3), 0.7661008),
    ("binary_focal_crossentropy",
     lambda L: L.binary_focal_crossentropy(T3, YP3, apply_class_balancing=True, alpha=0.3, gamma=1.0,
                                           from_logits=True, label_smoothing=0.1),
     [0.51287836, 0.21135888, 0.82365316]),
    ("CategoricalFocalCrossentropy", lambda L: L.CategoricalFocalCrossentropy()(T3, P3, sample_weight=SW3),
     0.46845412),
    ("categorical_focal_crossentropy",
     lambda L: L.categorical_focal_crossentropy(T3, YP3, alpha=0.5, gamma=1.0, from_logits=True,
                                                label_smoothing=0.1),
     [0.42329922, 0.64659894, 1.4730757]),
]


@pytest.mark.parametrize("compute, expected", [c[1:] for c in KERAS_VALUES], ids=[c[0] for c in KERAS_VALUES])
def test_values_from_real_keras(compute, expected):
    np.testing.assert_allclose(compute(keras.losses), expected, rtol=2e-6, atol=1e-7)


def test_keras_docstring_values():
    np.testing.assert_allclose(keras.losses.huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]).mean(), 0.155,
                               rtol=1e-6)
    np.testing.assert_allclose(keras.losses.log_cosh([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [0.0, 0.0]]).mean(),
                               0.108, atol=5e-4)
    np.testing.assert_allclose(
        keras.losses.cosine_similarity([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]]),
        [0.0, -1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(
        keras.losses.categorical_focal_crossentropy([[0, 1, 0], [0, 0, 1]], [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]),
        [2.63401289e-04, 6.75912094e-01], rtol=1e-5)
    np.testing.assert_allclose(
        keras.losses.binary_focal_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]], gamma=2),
        [0.330, 0.206], atol=1e-3)


# -- names ---------------------------------------------------------------------------------------
NAMES = [
    ("huber", ref_huber, REAL_T, REAL_P),
    ("huber_loss", ref_huber, REAL_T, REAL_P),
    ("Huber", ref_huber, REAL_T, REAL_P),
    ("log_cosh", ref_log_cosh, REAL_T, REAL_P),
    ("logcosh", ref_log_cosh, REAL_T, REAL_P),
    ("LogCosh", ref_log_cosh, REAL_T, REAL_P),
    ("cosine_similarity", ref_cosine, REAL_T, REAL_P),
    ("cosine_proximity", ref_cosine, REAL_T, REAL_P),
    ("cosine", ref_cosine, REAL_T, REAL_P),
    ("CosineSimilarity", ref_cosine, REAL_T, REAL_P),
    ("categorical_hinge", ref_categorical_hinge, ONE_HOT, REAL_P),
    ("CategoricalHinge", ref_categorical_hinge, ONE_HOT, REAL_P),
    ("binary_focal_crossentropy", ref_bfce, MULTI, SIG),
    ("BinaryFocalCrossentropy", ref_bfce, MULTI, SIG),
    ("categorical_focal_crossentropy", ref_cfce, ONE_HOT, PROBS),
    ("CategoricalFocalCrossentropy", ref_cfce, ONE_HOT, PROBS),
]


@pytest.mark.parametrize("name, ref, t, p", NAMES, ids=[c[0] for c in NAMES])
def test_resolution_by_string_in_compile(name, ref, t, p):
    expected = reference(ref, t, p, {}).mean()
    np.testing.assert_allclose(keras.losses.get(name)(t, p), expected, rtol=1e-5, atol=1e-6)
    model = keras.Sequential([keras.Input((C,)), keras.layers.Activation("linear")])
    model.compile(optimizer="sgd", loss=name)
    np.testing.assert_allclose(model.evaluate(p, t, batch_size=4, verbose=0), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, ref, t, p, sign", [
    ("huber", ref_huber, REAL_T, REAL_P, 1.0),
    ("logcosh", ref_log_cosh, REAL_T, REAL_P, 1.0),
    ("categorical_hinge", ref_categorical_hinge, ONE_HOT, REAL_P, 1.0),
    ("binary_focal_crossentropy", ref_bfce, MULTI, SIG, 1.0),
    ("cosine_proximity", ref_cosine, REAL_T, REAL_P, 1.0),  # Keras 2's name: the (negative) loss value
    ("cosine_similarity", ref_cosine, REAL_T, REAL_P, -1.0),  # as a metric Keras 3 reports +cos
], ids=["huber", "logcosh", "categorical_hinge", "bfce", "cosine_proximity", "cosine_similarity"])
def test_loss_names_as_metrics(name, ref, t, p, sign):
    model = keras.Sequential([keras.Input((C,)), keras.layers.Activation("linear")])
    model.compile(optimizer="sgd", loss="mse", metrics=[name])
    logs = model.evaluate(p, t, batch_size=4, verbose=0, return_dict=True)
    assert list(logs) == ["loss", name]
    np.testing.assert_allclose(logs[name], sign * reference(ref, t, p, {}).mean(), rtol=1e-5, atol=1e-6)


def test_module_level_aliases():
    L = keras.losses
    assert L.huber_loss is L.huber and L.logcosh is L.log_cosh
    assert L.cosine_proximity is L.cosine_similarity and L.cosine is L.cosine_similarity


def test_default_names_are_keras_names():
    L = keras.losses
    assert [L.Huber().name, L.LogCosh().name, L.CosineSimilarity().name, L.CategoricalHinge().name,
            L.BinaryFocalCrossentropy().name, L.CategoricalFocalCrossentropy().name] == [
        "huber_loss", "log_cosh", "cosine_similarity", "categorical_hinge", "binary_focal_crossentropy",
        "categorical_focal_crossentropy"]


# -- gradients: one SGD step of a Dense layer against finite differences --------------------------
GRAD_CASES = [
    ("huber", "Huber", {"delta": 0.8}, REAL_T, ref_huber),
    ("log_cosh", "LogCosh", {}, REAL_T, ref_log_cosh),
    ("cosine", "CosineSimilarity", {}, REAL_T, ref_cosine),
    ("categorical_hinge", "CategoricalHinge", {}, ONE_HOT, ref_categorical_hinge),
    ("bfce_logits", "BinaryFocalCrossentropy", {"from_logits": True, "apply_class_balancing": True, "alpha": 0.3},
     MULTI, ref_bfce),
    ("bfce_logits_smoothing", "BinaryFocalCrossentropy", {"from_logits": True, "gamma": 1.5, "label_smoothing": 0.2},
     MULTI, ref_bfce),
    ("cfce_logits", "CategoricalFocalCrossentropy", {"from_logits": True, "alpha": [0.2, 0.4, 0.6, 0.8]},
     ONE_HOT, ref_cfce),
    ("cfce_logits_smoothing", "CategoricalFocalCrossentropy", {"from_logits": True, "gamma": 1.0,
                                                              "label_smoothing": 0.1}, ONE_HOT, ref_cfce),
]


@pytest.mark.parametrize("cls_name, kwargs, t, ref", [c[1:] for c in GRAD_CASES], ids=[c[0] for c in GRAD_CASES])
def test_training_step_gradient_matches_finite_differences(cls_name, kwargs, t, ref):
    """train_on_batch with SGD moves the kernel by -lr * dLoss/dKernel; the gradient of the
    float64 reference (sample-weighted mean over the batch) by central differences."""
    x = np.random.default_rng(5).normal(size=(N, 3)).astype(np.float32)
    kernel = np.random.default_rng(6).normal(scale=0.7, size=(3, C)).astype(np.float32)
    bias = np.linspace(-0.3, 0.3, C).astype(np.float32)
    lr = 0.1
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(C)])
    model.set_weights([kernel, bias])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=getattr(keras.losses, cls_name)(**kwargs))
    model.train_on_batch(x, t, sample_weight=SW)

    def objective(k):
        return (reference(ref, t, x.astype(np.float64) @ k + bias, kwargs) * SW).sum() / N

    k64, h = kernel.astype(np.float64), 1e-6
    grad = np.zeros_like(k64)
    for idx in np.ndindex(*k64.shape):
        step = np.zeros_like(k64)
        step[idx] = h
        grad[idx] = (objective(k64 + step) - objective(k64 - step)) / (2 * h)
    assert np.abs(grad).max() > 1e-3  # the step really moves the kernel
    np.testing.assert_allclose(model.get_weights()[0], k64 - lr * grad, rtol=0, atol=2e-5)


# -- config round trips ---------------------------------------------------------------------------
CONFIG_CASES = [
    ("Huber", {"delta": 0.3}),
    ("LogCosh", {}),
    ("CosineSimilarity", {"axis": 0}),
    ("CategoricalHinge", {"reduction": "sum"}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.6, "gamma": 1.0, "from_logits": True,
                                 "label_smoothing": 0.05}),
    ("CategoricalFocalCrossentropy", {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 1.0, "label_smoothing": 0.1}),
]


@pytest.mark.parametrize("cls_name, kwargs", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_round_trip(cls_name, kwargs):
    loss = getattr(keras.losses, cls_name)(name="mine", **kwargs)
    config = loss.get_config()
    assert config["name"] == "mine" and all(config[k] == v for k, v in kwargs.items())
    again = type(loss).from_config(config)
    assert again.get_config() == config
    via_get = keras.losses.get(keras.losses.serialize(loss))
    assert type(via_get) is type(loss) and via_get.get_config() == config
    t, p = (MULTI, LOGITS) if "Focal" in cls_name else (REAL_T, REAL_P)
    np.testing.assert_allclose(via_get(t, p), loss(t, p), rtol=1e-6)


# -- bad arguments ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: keras.losses.Huber(delta=-1), r"Huber expects delta to be a number >= 0.0, but got delta=-1"),
    (lambda: keras.losses.Huber(delta="big"), r"delta='big'"),
    (lambda: keras.losses.huber(REAL_T, REAL_P, delta=-0.5), r"huber expects delta"),
    (lambda: keras.losses.BinaryFocalCrossentropy(gamma=-1.0), r"gamma to be a number >= 0.0"),
    (lambda: keras.losses.BinaryFocalCrossentropy(alpha=1.5), r"alpha to be a number >= 0.0 and <= 1.0"),
    (lambda: keras.losses.CategoricalFocalCrossentropy(label_smoothing=2.0), r"label_smoothing"),
    (lambda: keras.losses.CategoricalFocalCrossentropy(alpha=[0.5, 0.5])(ONE_HOT, PROBS),
     r"one weight per class \(4\), but got alpha of shape \(2,\)"),
    (lambda: keras.losses.categorical_focal_crossentropy(LABELS.astype(np.float32), PROBS),
     r"one-hot targets shaped like the predictions"),
], ids=["huber_negative", "huber_string", "huber_fn", "gamma", "alpha", "label_smoothing", "alpha_per_class",
        "sparse_labels"])
def test_bad_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_cosine_axis_must_be_an_int():
    with pytest.raises(TypeError, match="axis to be an int, but got axis=1.5"):
        keras.losses.CosineSimilarity(axis=1.5)
