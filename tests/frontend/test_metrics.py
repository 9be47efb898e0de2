"""Metrics: how 'accuracy'/'acc' resolve (by the values they produce and the log names), loss
names as metrics, stateful metric objects on numpy, and fit's per-epoch logs as sample-weighted
means over uneven batches."""

import numpy as np
import pytest

import horn as keras


def ref_binary_accuracy(t, p, threshold=0.5):
    return ((p > threshold).astype(np.float64) == t).mean(axis=-1)


def ref_categorical_accuracy(t, p):
    return (t.argmax(axis=-1) == p.argmax(axis=-1)).astype(np.float64)


def ref_sparse_categorical_accuracy(labels, p):
    return (labels.reshape(-1).astype(int) == p.argmax(axis=-1)).astype(np.float64)


def identity_model(units):
    return keras.Sequential([keras.Input((units,)), keras.layers.Activation("linear")])


# -- data ----------------------------------------------------------------------------------------
# One unit: binary, sparse and categorical accuracy all differ (0.75, 0.25, 1.0).
P1 = np.array([[0.8], [0.7], [0.4], [0.2]], np.float32)
T1 = np.array([[1.0], [1.0], [1.0], [0.0]], np.float32)
# Three units: multi-label targets (binary accuracy is per entry) vs one-hot targets.
P3 = np.array([[0.6, 0.3, 0.7], [0.2, 0.9, 0.4], [0.55, 0.45, 0.1], [0.1, 0.2, 0.6], [0.9, 0.8, 0.7]], np.float32)
MULTI_T = np.array([[1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 0], [1, 1, 1]], np.float32)
LABELS = np.array([2, 1, 1, 0, 0])
ONE_HOT = np.eye(3, dtype=np.float32)[LABELS]


def test_data_tells_the_accuracies_apart():
    assert (
        len(
            {
                ref_binary_accuracy(T1, P1).mean(),
                ref_sparse_categorical_accuracy(T1, P1).mean(),
                ref_categorical_accuracy(T1, P1).mean(),
            }
        )
        == 3
    )
    assert ref_binary_accuracy(MULTI_T, P3).mean() != ref_categorical_accuracy(MULTI_T, P3).mean()
    assert ref_binary_accuracy(ONE_HOT, P3).mean() != ref_categorical_accuracy(ONE_HOT, P3).mean()
    assert 0 < ref_sparse_categorical_accuracy(LABELS, P3).mean() < 1


# (id, loss, predictions, targets, expected accuracy): binary for binary_crossentropy or a
# 1-unit output, sparse for sparse_categorical_crossentropy, categorical otherwise.
ACCURACY_CASES = [
    ("one_unit_mse", "mse", P1, T1, ref_binary_accuracy(T1, P1).mean()),
    ("one_unit_bce", "binary_crossentropy", P1, T1, ref_binary_accuracy(T1, P1).mean()),
    ("bce_multilabel", "binary_crossentropy", P3, MULTI_T, ref_binary_accuracy(MULTI_T, P3).mean()),
    ("bce_object", keras.losses.BinaryCrossentropy(), P3, MULTI_T, ref_binary_accuracy(MULTI_T, P3).mean()),
    ("bce_function", keras.losses.binary_crossentropy, P3, MULTI_T, ref_binary_accuracy(MULTI_T, P3).mean()),
    (
        "scce_labels_n",
        "sparse_categorical_crossentropy",
        P3,
        LABELS.astype(np.float32),
        ref_sparse_categorical_accuracy(LABELS, P3).mean(),
    ),
    (
        "scce_labels_n1",
        "sparse_categorical_crossentropy",
        P3,
        LABELS.reshape(-1, 1).astype(np.float32),
        ref_sparse_categorical_accuracy(LABELS, P3).mean(),
    ),
    (
        "scce_object",
        keras.losses.SparseCategoricalCrossentropy(),
        P3,
        LABELS.astype(np.float32),
        ref_sparse_categorical_accuracy(LABELS, P3).mean(),
    ),
    (
        "scce_function",
        keras.losses.sparse_categorical_crossentropy,
        P3,
        LABELS.astype(np.float32),
        ref_sparse_categorical_accuracy(LABELS, P3).mean(),
    ),
    ("cce", "categorical_crossentropy", P3, ONE_HOT, ref_categorical_accuracy(ONE_HOT, P3).mean()),
    ("cce_object", keras.losses.CategoricalCrossentropy(), P3, ONE_HOT, ref_categorical_accuracy(ONE_HOT, P3).mean()),
    ("mse_three_units", "mse", P3, ONE_HOT, ref_categorical_accuracy(ONE_HOT, P3).mean()),
]


@pytest.mark.parametrize("name", ["accuracy", "acc"])
@pytest.mark.parametrize("loss, p, t, expected", [c[1:] for c in ACCURACY_CASES], ids=[c[0] for c in ACCURACY_CASES])
def test_accuracy_resolution(name, loss, p, t, expected):
    model = identity_model(p.shape[-1])
    model.compile(optimizer="sgd", loss=loss, metrics=[name])
    logs = model.evaluate(p, t, batch_size=3, verbose=0, return_dict=True)
    assert list(logs) == ["loss", name]
    assert model.metrics_names == ["loss", name]
    np.testing.assert_allclose(logs[name], expected, rtol=1e-6)
    history = model.fit(p, t, batch_size=2, epochs=1, shuffle=False, verbose=0).history
    assert set(history) == {"loss", name}  # the key is the string the user passed
    np.testing.assert_allclose(history[name][0], expected, rtol=1e-6)  # no weights: same predictions


@pytest.mark.parametrize(
    "metric, key, ref",
    [
        ("mse", "mse", lambda t, p: ((p - t) ** 2).mean(-1)),
        ("mean_squared_error", "mean_squared_error", lambda t, p: ((p - t) ** 2).mean(-1)),
        ("mae", "mae", lambda t, p: np.abs(p - t).mean(-1)),
        ("MeanSquaredError", "mean_squared_error", lambda t, p: ((p - t) ** 2).mean(-1)),
        (
            "binary_crossentropy",
            "binary_crossentropy",
            lambda t, p: -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1),
        ),
        ("categorical_accuracy", "categorical_accuracy", ref_categorical_accuracy),
        ("binary_accuracy", "binary_accuracy", ref_binary_accuracy),
        (keras.metrics.CategoricalAccuracy(), "categorical_accuracy", ref_categorical_accuracy),
        (
            keras.metrics.BinaryAccuracy(threshold=0.65),
            "binary_accuracy",
            lambda t, p: ref_binary_accuracy(t, p, threshold=0.65),
        ),
        (keras.metrics.MeanAbsoluteError(), "mean_absolute_error", lambda t, p: np.abs(p - t).mean(-1)),
    ],
    ids=[
        "mse",
        "mean_squared_error",
        "mae",
        "MeanSquaredError_string",
        "binary_crossentropy",
        "categorical_accuracy",
        "binary_accuracy",
        "CategoricalAccuracy",
        "BinaryAccuracy_threshold",
        "MeanAbsoluteError",
    ],
)
def test_named_metrics_and_objects_in_compile(metric, key, ref):
    model = identity_model(3)
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=[metric])
    logs = model.evaluate(P3, MULTI_T, batch_size=2, verbose=0, return_dict=True)
    assert list(logs) == ["loss", key]
    np.testing.assert_allclose(logs[key], ref(MULTI_T.astype(np.float64), P3.astype(np.float64)).mean(), rtol=1e-5)


def test_unknown_metric_suggests_the_closest():
    model = identity_model(3)
    with pytest.raises(ValueError, match="Did you mean 'categorical_accuracy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["categorical_acuracy"])
        model.evaluate(P3, ONE_HOT, verbose=0)


# -- metric objects on numpy (values from Keras's docstrings) ------------------------------------
def test_categorical_accuracy_object():
    m = keras.metrics.CategoricalAccuracy()
    t, p = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m.update_state(t, p)
    np.testing.assert_allclose(m.result(), 0.5)
    m.reset_state()
    m.update_state(t, p, sample_weight=[0.7, 0.3])
    np.testing.assert_allclose(m.result(), 0.3, rtol=1e-6)
    # Running over more batches: the mean over all samples seen, not the mean of batch means.
    m.reset_state()
    m.update_state(t, p)
    m.update_state([[1, 0, 0]], [[0.5, 0.2, 0.3]])
    np.testing.assert_allclose(m.result(), 2 / 3, rtol=1e-6)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_binary_accuracy_object():
    m = keras.metrics.BinaryAccuracy()
    t, p = [[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]
    m.update_state(t, p)
    np.testing.assert_allclose(m.result(), 0.75)
    m.reset_state()
    m.update_state(t, p, sample_weight=[1, 0, 0, 1])
    np.testing.assert_allclose(m.result(), 0.5)
    strict = keras.metrics.BinaryAccuracy(threshold=0.7)  # 0.6 is now a 0
    strict.update_state(t, p)
    np.testing.assert_allclose(strict.result(), 1.0)


def test_sparse_categorical_accuracy_object():
    m = keras.metrics.SparseCategoricalAccuracy()
    t, p = [[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]]
    m.update_state(t, p)
    np.testing.assert_allclose(m.result(), 0.5)
    m.reset_state()
    m.update_state(np.array([2, 1]), p, sample_weight=[0.7, 0.3])
    np.testing.assert_allclose(m.result(), 0.3, rtol=1e-6)


def test_regression_metric_objects():
    mse = keras.metrics.MeanSquaredError()
    mse.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    np.testing.assert_allclose(mse.result(), 0.25)
    mse.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
    np.testing.assert_allclose(mse.result(), (0.25 * 2 + 0.5) / 3, rtol=1e-6)
    mae = keras.metrics.MeanAbsoluteError()
    mae.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    np.testing.assert_allclose(mae.result(), 0.25)
    mae.reset_state()
    mae.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]], sample_weight=[1, 0])
    np.testing.assert_allclose(mae.result(), 0.5)


# -- fit's logs over uneven batches --------------------------------------------------------------
def test_fit_logs_are_sample_weighted_means_over_the_epoch():
    """10 samples in batches of 4, 4, 2: the epoch's loss and accuracy are the means over the 10
    samples (not the mean of the three batch means). SGD with learning_rate=0 keeps the weights."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, 4)).astype(np.float32)
    labels = np.array([0, 1, 2, 0, 1, 2, 2, 2, 1, 0])
    y = np.eye(3, dtype=np.float32)[labels]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    w, b = (a.astype(np.float64) for a in model.get_weights())
    logits = x @ w + b
    probs = np.exp(logits - logits.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    per_loss = -np.log(np.clip(probs[np.arange(10), labels], 1e-7, 1 - 1e-7))
    per_acc = (probs.argmax(-1) == labels).astype(np.float64)
    batches = [slice(0, 4), slice(4, 8), slice(8, 10)]
    unweighted = np.mean([per_loss[s].mean() for s in batches])
    assert abs(unweighted - per_loss.mean()) > 1e-3  # the two averages differ on this data

    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    for epoch in range(2):  # the totals start again each epoch
        np.testing.assert_allclose(history["loss"][epoch], per_loss.mean(), rtol=1e-5)
        np.testing.assert_allclose(history["accuracy"][epoch], per_acc.mean(), rtol=1e-6)
    shuffled = model.fit(x, y, batch_size=4, epochs=1, shuffle=True, verbose=0).history
    np.testing.assert_allclose(shuffled["loss"][0], per_loss.mean(), rtol=1e-5)
    logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    np.testing.assert_allclose([logs["loss"], logs["accuracy"]], [per_loss.mean(), per_acc.mean()], rtol=1e-5)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=0, atol=0)
