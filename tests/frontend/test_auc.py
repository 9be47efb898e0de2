"""AUC: ROC and PR areas from confusion counts at thresholds, as Keras 3.15.1 computes them
(its figures for the same data are hard-coded below), statefully and inside fit/evaluate."""

import re

import numpy as np
import pytest

import horn as keras


def _data():
    rng = np.random.default_rng(3)
    y = (rng.random((40, 1)) > 0.4).astype("float32")
    p = rng.random((40, 1)).astype("float32")
    p[:5], p[5:8], p[8:10] = 0.5, 1.0, 0.0  # ties, and scores on the end thresholds
    logits = rng.normal(size=(40, 1)).astype("float32")
    sw = rng.random(40).astype("float32")
    return rng, y, p, logits, sw


# (arguments, Keras's result over two weighted batches, over one unweighted batch)
_KERAS = [
    ({}, 0.5486851334571838, 0.5204603672027588),
    ({"curve": "PR"}, 0.5161316394805908, 0.5880330801010132),
    ({"summation_method": "minoring"}, 0.5261139869689941, 0.5089514255523682),
    ({"summation_method": "majoring"}, 0.5712562799453735, 0.5319693088531494),
    ({"curve": "PR", "summation_method": "majoring"}, 0.5373930931091309, 0.6012026071548462),
    ({"num_thresholds": 7}, 0.5485261082649231, 0.5140665173530579),
    ({"thresholds": [0.1, 0.5, 0.77]}, 0.5802942514419556, 0.5537084341049194),
    ({"from_logits": True}, 0.5421832799911499, 0.49232739210128784),
    ({"curve": "PR", "num_thresholds": 13}, 0.5048242211341858, 0.569237470626831),
]


@pytest.mark.parametrize("kwargs, weighted, unweighted", _KERAS, ids=[str(c[0]) for c in _KERAS])
def test_auc_as_keras_gives_it(kwargs, weighted, unweighted):
    _, y, p, logits, sw = _data()
    pred = logits if kwargs.get("from_logits") else p
    metric = keras.metrics.AUC(**kwargs)
    metric.update_state(y[:17], pred[:17], sample_weight=sw[:17])
    metric.update_state(y[17:], pred[17:], sample_weight=sw[17:])
    np.testing.assert_allclose(metric.result(), weighted, atol=2e-7)
    metric.reset_state()
    metric.update_state(y, pred)
    np.testing.assert_allclose(metric.result(), unweighted, atol=2e-7)


def _roc_reference(y, p, cuts):
    """Trapezoids over (false positive rate, true positive rate) at y_pred > t."""
    pos, neg = y[:, 0] > 0, y[:, 0] == 0
    tpr = np.array([(p[pos, 0] > t).sum() / pos.sum() for t in cuts])
    fpr = np.array([(p[neg, 0] > t).sum() / neg.sum() for t in cuts])
    return np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)


def test_roc_auc_against_numpy_and_its_limit():
    rng = np.random.default_rng(7)
    y = (rng.random((500, 1)) > 0.5).astype("float32")
    p = np.clip(y * 0.3 + rng.random((500, 1)) * 0.7, 0, 1).astype("float32")
    metric = keras.metrics.AUC(num_thresholds=50)
    metric.update_state(y, p)
    cuts = np.array([-1e-7] + [(i + 1) / 49 for i in range(48)] + [1 + 1e-7], np.float32)
    np.testing.assert_allclose(metric.result(), _roc_reference(y, p, cuts), rtol=1e-6)
    # with many thresholds the area approaches the exact rank statistic (Mann-Whitney)
    fine = keras.metrics.AUC(num_thresholds=5000)
    fine.update_state(y, p)
    pos, neg = p[y[:, 0] > 0, 0], p[y[:, 0] == 0, 0]
    exact = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    np.testing.assert_allclose(fine.result(), exact, atol=2e-3)


def test_auc_in_fit_and_evaluate_as_keras_gives_it():
    """Keras 3.15.1 (jax), same weights and data: batches of 9, SGD(0.5), shuffle=False; an AUC as
    a weighted metric sees the sample weights."""
    rng, y, _, _, sw = _data()
    x = rng.normal(size=(40, 3)).astype("float32")
    model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy",
                  metrics=[keras.metrics.AUC(), keras.metrics.AUC(curve="PR", name="prauc")],
                  weighted_metrics=[keras.metrics.AUC(name="wauc")])
    model.set_weights([np.array([[0.5], [-0.3], [0.8]], np.float32), np.zeros(1, np.float32)])
    logs = model.evaluate(x, y, sample_weight=sw, batch_size=9, verbose=0, return_dict=True)
    assert logs == pytest.approx({"loss": 0.3533487915992737, "auc": 0.6189258694648743,
                                  "prauc": 0.6314558982849121, "wauc": 0.5880284905433655}, abs=1e-6)
    history = model.fit(x, y, sample_weight=sw, batch_size=9, epochs=1, shuffle=False, verbose=0).history
    assert {k: v[0] for k, v in history.items()} == pytest.approx(
        {"loss": 0.35001033544540405, "auc": 0.6278771758079529, "prauc": 0.639380693435669,
         "wauc": 0.5967952609062195}, abs=1e-6)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_metric_objects_keep_their_arguments_when_saved(tmp_path, suffix):
    """A metric object is saved with its config, so a renamed AUC or a Precision at another
    threshold comes back as it was (by name alone 'prauc' would be unknown)."""
    rng, y, p, _, _ = _data()
    x = rng.normal(size=(40, 3)).astype("float32")
    model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy",
                  metrics=[keras.metrics.AUC(curve="PR", num_thresholds=31, name="prauc"),
                           keras.metrics.Precision(thresholds=0.3)])
    model.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / f"m{suffix}")
    model.save(path)
    loaded = keras.models.load_model(path)
    before = model.evaluate(x, y, verbose=0, return_dict=True)
    after = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert list(after) == ["loss", "prauc", "precision"]
    assert after == pytest.approx(before, rel=1e-6)
    auc = loaded._compiled.metrics[0][0]
    assert (auc.curve, auc.num_thresholds) == ("PR", 31)


def test_auc_config_round_trip_and_names():
    metric = keras.metrics.AUC(curve="PR", summation_method="minoring", thresholds=[0.2, 0.6], name="a")
    again = keras.metrics.AUC.from_config(metric.get_config())
    assert (again.name, again.curve, again.summation_method, again.thresholds) == ("a", "PR", "minoring", [0.2, 0.6])
    assert again.num_thresholds == 4
    assert isinstance(keras.metrics.get("auc"), keras.metrics.AUC)
    assert isinstance(keras.metrics.get("AUC"), keras.metrics.AUC)


@pytest.mark.parametrize("kwargs, message", [
    ({"curve": "XY"}, "curve=...) must be 'ROC' or 'PR'"),
    ({"summation_method": "simpson"}, "summation_method=...) must be"),
    ({"num_thresholds": 1}, "num_thresholds=...) must be an integer > 1"),
    ({"thresholds": [0.5, 1.5]}, "thresholds=...) must lie in [0, 1]"),
])
def test_auc_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        keras.metrics.AUC(**kwargs)


def test_auc_multi_label_says_it_is_not_there():
    with pytest.raises(NotImplementedError, match="multi_label"):
        keras.metrics.AUC(multi_label=True)
