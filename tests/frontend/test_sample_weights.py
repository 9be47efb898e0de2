"""sample_weight and class_weight weight the loss as Keras 3 does: sum(loss * w) / n."""

import numpy as np
import pytest

import horn as keras


def _model():
    keras.config.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _data(n=10):
    x = np.random.default_rng(1).random((n, 3), dtype=np.float32)
    y = keras.utils.to_categorical(np.arange(n) % 2, 2)
    return x, y


def _per_sample_loss(model, x, y):
    p = model.predict(x, verbose=0).astype(np.float64)
    return -np.log(np.clip((p * y).sum(axis=1), 1e-7, 1 - 1e-7))


def test_evaluate_with_sample_weight():
    model, (x, y) = _model(), _data()
    w = np.arange(10, dtype=np.float32)
    loss, acc = model.evaluate(x, y, sample_weight=w, verbose=0)
    assert loss == pytest.approx((_per_sample_loss(model, x, y) * w).sum() / 10, rel=1e-5)


def test_fit_logs_the_weighted_loss_and_class_weight_multiplies_in():
    model, (x, y) = _model(), _data()  # learning rate 0: the weights never move
    w = np.linspace(0.5, 2.0, 10).astype(np.float32)
    class_weight = {0: 1.0, 1: 3.0}
    history = model.fit(x, y, sample_weight=w, class_weight=class_weight, batch_size=4, epochs=1,
                        shuffle=False, verbose=0).history
    combined = w * np.where(np.arange(10) % 2 == 1, 3.0, 1.0)
    per = _per_sample_loss(model, x, y)
    # batches of 4, 4, 2; each batch's loss is sum(loss * w) / batch size, averaged by batch size
    expected = sum((per[s:s + 4] * combined[s:s + 4]).sum() for s in (0, 4, 8)) / 10
    assert history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_sample_weight_changes_the_step():
    x, y = _data()
    a, b = _model(), _model()
    a.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy")
    b.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy")
    w = np.zeros(10, np.float32)
    w[:2] = 5.0  # only the first two samples count
    a.train_on_batch(x, y, sample_weight=w)
    b.train_on_batch(x[:2], y[:2])
    # with weights 5 on 2 of 10 samples, the gradient equals the plain mean over those 2
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], rtol=1e-5, atol=1e-7)


def test_validation_split_splits_the_weights_too():
    model, (x, y) = _model(), _data()
    w = np.ones(10, np.float32)
    w[8:] = 0.0  # the validation part (the last 20%) weighs nothing
    history = model.fit(x, y, sample_weight=w, validation_split=0.2, epochs=1, verbose=0).history
    assert history["val_loss"][0] == 0.0


def test_bad_weights_are_named():
    model, (x, y) = _model(), _data()
    with pytest.raises(ValueError, match="one value per sample"):
        model.fit(x, y, sample_weight=np.ones(3), verbose=0)
    with pytest.raises(ValueError, match="no weight for class"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)
