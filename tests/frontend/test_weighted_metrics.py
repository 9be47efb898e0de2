"""compile(weighted_metrics=...) and SparseCategoricalCrossentropy(ignore_class=...): values as
Keras 3.15.1 gave them for the same weights and data (its figures are hard-coded below)."""

import numpy as np
import pytest

import horn as keras


def _binary_model():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32")
    y = (rng.random((20, 1)) > 0.5).astype("float32")
    sw = rng.random(20).astype("float32")
    model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy", "mae", "mae"],
                  weighted_metrics=["accuracy", "mae"])
    model.set_weights([np.array([[0.3], [-0.8], [0.5]], np.float32), np.array([0.1], np.float32)])
    return model, x, y, sw


def test_weighted_metrics_count_samples_by_their_weights():
    model, x, y, sw = _binary_model()
    assert model.metrics_names == ["loss", "accuracy", "mae", "mae_1", "weighted_accuracy", "weighted_mae"]
    logs = model.evaluate(x, y, sample_weight=sw, batch_size=7, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    hit = ((p > 0.5) == (y > 0.5)).astype(np.float64)[:, 0]
    err = np.abs(p - y).astype(np.float64)[:, 0]
    np.testing.assert_allclose(logs["accuracy"], hit.mean(), rtol=1e-6)
    np.testing.assert_allclose(logs["mae"], err.mean(), rtol=1e-6)
    assert logs["mae_1"] == logs["mae"]
    np.testing.assert_allclose(logs["weighted_accuracy"], (hit * sw).sum() / sw.sum(), rtol=1e-6)
    np.testing.assert_allclose(logs["weighted_mae"], (err * sw).sum() / sw.sum(), rtol=1e-6)


def test_weighted_metrics_as_keras_gave_them():
    """Keras 3.15.1 (jax), the same weights and data, SGD(0.5), batches of 7, shuffle=False."""
    model, x, y, sw = _binary_model()
    model.set_weights([np.array([[1.0793928], [-1.0685419], [-0.86016464]], np.float32), np.zeros(1, np.float32)])
    logs = model.evaluate(x, y, sample_weight=sw, batch_size=7, verbose=0, return_dict=True)
    history = model.fit(x, y, sample_weight=sw, epochs=1, batch_size=7, verbose=0, shuffle=False).history
    assert logs == pytest.approx({"accuracy": 0.550000011920929, "loss": 0.6510337591171265,
                                  "mae": 0.5051048398017883, "mae_1": 0.5051048398017883,
                                  "weighted_accuracy": 0.5258255004882812, "weighted_mae": 0.5114275813102722},
                                 abs=1e-6)
    assert {k: v[0] for k, v in history.items()} == pytest.approx(
        {"accuracy": 0.5, "loss": 0.6406508088111877, "mae": 0.5068589448928833, "mae_1": 0.5068589448928833,
         "weighted_accuracy": 0.455442875623703, "weighted_mae": 0.5111451745033264}, abs=1e-6)


def test_weighted_metrics_see_class_weights():
    model, x, y, _ = _binary_model()
    model.compile("sgd", "binary_crossentropy", weighted_metrics=["mae"])
    p = model.predict(x, verbose=0)  # one batch: the metric sees the weights before the update
    history = model.fit(x, y, class_weight={0: 0.25, 1: 2.0}, epochs=1, batch_size=20, verbose=0).history
    w = np.where(y[:, 0] > 0.5, 2.0, 0.25)
    err = np.abs(p - y)[:, 0]
    np.testing.assert_allclose(history["mae"][0], (err * w).sum() / w.sum(), rtol=1e-5)


def test_weighted_metrics_names_per_output():
    inp = keras.layers.Input((3,))
    a = keras.layers.Dense(1, name="a")(inp)
    b = keras.layers.Dense(1, name="b")(inp)
    model = keras.Model(inp, [a, b])
    model.compile("sgd", "mse", metrics=["mae"], weighted_metrics=["mae", "mse"])
    # Keras 3 lists the metrics output by output, then the weighted ones output by output
    assert model.metrics_names == ["loss", "a_loss", "b_loss", "a_mae", "b_mae", "a_weighted_mae", "a_mse",
                                   "b_weighted_mae", "b_mse"]


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_weighted_metrics_survive_saving(tmp_path, suffix):
    model, x, y, sw = _binary_model()
    before = model.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    after = loaded.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    assert list(after) == list(before)
    assert after == pytest.approx(before, rel=1e-6)


# -- SparseCategoricalCrossentropy(ignore_class) ----------------------------------------------

def _labels():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, (6, 5)).astype("int32")
    y[0, :2] = 3
    y[2] = 3
    logits = rng.normal(size=(6, 5, 4)).astype("float32")
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return y, p, logits


def _reference(y, p, ignore):
    picked = np.take_along_axis(np.clip(p, 1e-7, 1 - 1e-7), y[..., None].clip(0, 3), -1)[..., 0]
    return np.where(y == ignore, 0.0, -np.log(picked))


@pytest.mark.parametrize("from_logits", [False, True])
def test_ignore_class_averages_over_the_other_entries(from_logits):
    y, p, logits = _labels()
    valid = y != 3
    ref = _reference(y, p, 3)
    pred = logits if from_logits else p
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=3)
    np.testing.assert_allclose(loss(y, pred), ref.sum() / valid.sum(), rtol=1e-5)
    total = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits, ignore_class=3, reduction="sum")
    np.testing.assert_allclose(total(y, pred), ref.sum(), rtol=1e-5)
    np.testing.assert_allclose(keras.losses.sparse_categorical_crossentropy(y, pred, from_logits=from_logits,
                                                                            ignore_class=3), ref, rtol=1e-5, atol=1e-6)
    sw = np.linspace(0.1, 1.0, 30, dtype=np.float32).reshape(6, 5)
    np.testing.assert_allclose(loss(y, pred, sample_weight=sw), (ref * sw).sum() / valid.sum(), rtol=1e-5)


def test_ignore_class_out_of_range_label():
    y, p, _ = _labels()
    y = np.where(y == 3, 255, y).astype("int32")
    loss = keras.losses.SparseCategoricalCrossentropy(ignore_class=255)
    np.testing.assert_allclose(loss(y, p), _reference(np.where(y == 255, 3, y), p, 3).sum() / (y != 255).sum(),
                               rtol=1e-5)


def test_ignore_class_in_training_as_keras_gave_it():
    """Keras 3.15.1 (jax): evaluate, one epoch of SGD(0.5) in batches of 5, and the kernel after it."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(12, 5, 4)).astype("float32")
    y = rng.integers(0, 4, (12, 5)).astype("int32")
    y[:3] = 3
    kernel = rng.normal(size=(4, 4)).astype("float32") * 0.5
    model = keras.Sequential([keras.layers.Input((5, 4)), keras.layers.Dense(4, activation="softmax")])
    model.compile(keras.optimizers.SGD(0.5), keras.losses.SparseCategoricalCrossentropy(ignore_class=3),
                  metrics=[keras.metrics.SparseCategoricalCrossentropy(ignore_class=3)])
    model.set_weights([kernel, np.zeros(4, np.float32)])
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=5, verbose=0), [1.799187183380127, 1.160197377204895],
                               rtol=1e-6)
    history = model.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(history["loss"][0], 1.6766982078552246, rtol=1e-6)
    np.testing.assert_allclose(history["sparse_categorical_crossentropy"][0], 1.0628634691238403, rtol=1e-6)


def test_ignore_class_metric_counts_ignored_entries_as_zero():
    """Keras 3.15's metric (unlike its loss) keeps the ignored entries in the mean, as zeros."""
    y, p, _ = _labels()
    metric = keras.metrics.SparseCategoricalCrossentropy(ignore_class=3)
    metric.update_state(y[:3], p[:3])
    metric.update_state(y[3:], p[3:])
    np.testing.assert_allclose(metric.result(), _reference(y, p, 3).mean(), rtol=1e-5)
    np.testing.assert_allclose(metric.result(), 0.7320061326026917, rtol=1e-6)  # Keras 3.15.1
