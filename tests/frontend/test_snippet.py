"""The classic "30 seconds to Keras" snippet, verbatim but for `import horn as keras`, on digits.

    from keras.models import Sequential
    model = Sequential()
    from keras.layers import Dense
    model.add(Dense(units=64, activation='relu', input_dim=100))
    model.add(Dense(units=10, activation='softmax'))
    model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
    model.compile(loss=keras.losses.categorical_crossentropy,
                  optimizer=keras.optimizers.SGD(lr=0.01, momentum=0.9, nesterov=True))
    model.fit(x_train, y_train, epochs=5, batch_size=32)
    model.train_on_batch(x_batch, y_batch)
    loss_and_metrics = model.evaluate(x_test, y_test, batch_size=128)
    classes = model.predict(x_test, batch_size=128)

(input_dim=64: the digits are 8x8.)
"""

import re

import numpy as np
import pytest

import horn as keras


@pytest.fixture(scope="module")
def digits():
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16
    x_test = x_test.reshape(-1, 64).astype("float32") / 16
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)
    return x_train, y_train, x_test, y_test


def _snippet_from_imports():
    from horn.models import Sequential

    model = Sequential()
    from horn.layers import Dense

    model.add(Dense(units=64, activation='relu', input_dim=64))
    model.add(Dense(units=10, activation='softmax'))
    return model


def _snippet_keras_dot():
    model = keras.Sequential()
    model.add(keras.layers.Dense(units=64, activation='relu', input_dim=64))
    model.add(keras.layers.Dense(units=10, activation='softmax'))
    return model


def _run(make_model, digits, verbose):
    x_train, y_train, x_test, y_test = digits
    keras.config.set_random_seed(0)
    model = make_model()
    model.compile(loss='categorical_crossentropy',
                  optimizer='sgd',
                  metrics=['accuracy'])
    model.compile(loss=keras.losses.categorical_crossentropy,
                  optimizer=keras.optimizers.SGD(lr=0.01, momentum=0.9, nesterov=True))
    history = model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=verbose)
    x_batch, y_batch = x_train[:32], y_train[:32]
    batch_loss = model.train_on_batch(x_batch, y_batch)
    loss_and_metrics = model.evaluate(x_test, y_test, batch_size=128, verbose=verbose)
    classes = model.predict(x_test, batch_size=128, verbose=verbose)
    return model, history, batch_loss, loss_and_metrics, classes


@pytest.mark.parametrize("make_model", [_snippet_from_imports, _snippet_keras_dot], ids=["from-imports", "keras-dot"])
def test_snippet_learns_digits(make_model, digits):
    x_train, y_train, x_test, y_test = digits
    assert x_train.shape == (1437, 64) and x_test.shape == (360, 64)
    model, history, batch_loss, loss, classes = _run(make_model, digits, verbose=0)
    assert isinstance(history, keras.callbacks.History)
    assert list(history.history) == ["loss"]  # the second compile has no metrics
    losses = history.history["loss"]
    assert len(losses) == 5 and losses[-1] < losses[0] / 2
    assert np.isfinite(batch_loss)
    assert isinstance(loss, float)  # evaluate without metrics: the scalar loss
    assert classes.shape == (360, 10)
    np.testing.assert_allclose(classes.sum(axis=1), 1.0, rtol=1e-5)
    accuracy = np.mean(classes.argmax(axis=1) == y_test.argmax(axis=1))
    assert accuracy >= 0.85
    cce = np.mean(-np.sum(y_test * np.log(np.clip(classes, 1e-7, 1)), axis=1))
    assert loss == pytest.approx(cce, rel=1e-4)


def test_snippet_first_compile_reports_accuracy(digits):
    x_train, y_train, x_test, y_test = digits
    keras.config.set_random_seed(0)
    model = _snippet_from_imports()
    model.compile(loss='categorical_crossentropy', optimizer='sgd', metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=2, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    loss, acc = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    classes = model.predict(x_test, batch_size=128, verbose=0)
    assert acc == pytest.approx(np.mean(classes.argmax(axis=1) == y_test.argmax(axis=1)), abs=1e-6)


def test_verbose_1_shows_progress(digits, capsys):
    _run(_snippet_from_imports, digits, verbose=1)
    out = capsys.readouterr().out
    for epoch in range(1, 6):
        assert f"Epoch {epoch}/5" in out
    assert "Epoch 6/5" not in out
    assert re.search(r"45/45 .*━.* - loss: \d+\.\d{4}", out)
    assert re.search(r"3/3 .*━.* - loss: \d+\.\d{4}", out)  # evaluate(batch_size=128) on 360 samples
    assert out.count("45/45") >= 5


def test_verbose_2_shows_one_line_per_epoch(digits, capsys):
    _run(_snippet_from_imports, digits, verbose=2)
    out = capsys.readouterr().out
    fit_lines = [line for line in out.splitlines() if line.startswith("45/45")]
    assert len(fit_lines) == 5
    assert all(re.fullmatch(r"45/45 - \d+s - .*loss: \d+\.\d{4}", line) for line in fit_lines)
    assert "━" not in "\n".join(fit_lines)  # no progress bars
    assert [line for line in out.splitlines() if line.startswith("Epoch")] == [f"Epoch {i}/5" for i in range(1, 6)]


def test_verbose_0_prints_nothing(digits, capsys):
    _run(_snippet_from_imports, digits, verbose=0)
    assert capsys.readouterr().out == ""
