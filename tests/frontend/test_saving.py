"""Saving and loading: models written by real Keras 2 and Keras 3, horn's own round trips
(.h5 and .keras), weights files, atomic writes and the errors for bad files."""

import os

import numpy as np
import pytest

import horn as keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras")  # saved by real Keras


def _fixture(name):
    data = np.load(os.path.join(FIXTURES, name.split(".")[0] + ".npz"))
    xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
    ys = [data[k] for k in sorted(data.files) if k.startswith("y")]
    return os.path.join(FIXTURES, name), xs, ys


@pytest.mark.parametrize("name", ["k2_mlp.h5", "k3_mlp.h5", "k3_mlp.keras", "k3_functional.h5",
                                  "k3_functional.keras", "k2_rnn.h5", "k3_seq2seq.h5", "k3_seq2seq.keras",
                                  "k2_cnn.h5"])
def test_models_saved_by_keras_predict_what_keras_predicted(name):
    path, xs, ys = _fixture(name)
    model = keras.models.load_model(path)
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    for got, want in zip(out if isinstance(out, list) else [out], ys):
        np.testing.assert_allclose(got, want, atol=2e-6)


def test_a_keras_model_keeps_training_after_loading():
    path, xs, ys = _fixture("k2_mlp.h5")
    model = keras.models.load_model(path)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    target = np.full_like(ys[0], 1.0 / ys[0].shape[1])  # a new task: predict the uniform distribution
    before = model.evaluate(xs[0], target, verbose=0)
    for _ in range(20):
        model.train_on_batch(xs[0], target)
    assert model.evaluate(xs[0], target, verbose=0) < 0.5 * before


def _trained_model():
    keras.config.set_random_seed(3)
    inputs = keras.Input((6,), name="features")
    hidden = keras.layers.Dense(8, activation="relu")(inputs)
    a = keras.layers.Dense(3, activation="softmax", name="classes")(hidden)
    b = keras.layers.Dense(1, name="score")(keras.layers.concatenate([hidden, inputs]))
    model = keras.Model(inputs, [a, b])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=["categorical_crossentropy", "mse"], metrics=[["accuracy"], []])
    x = np.random.default_rng(0).random((32, 6), dtype=np.float32)
    y = [keras.utils.to_categorical(np.arange(32) % 3, 3), x[:, :1]]
    model.fit(x, y, epochs=2, verbose=0)
    return model, x, y


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_round_trip_keeps_outputs_and_compile_settings(tmp_path, suffix):
    model, x, y = _trained_model()
    path = tmp_path / f"model{suffix}"
    model.save(path)
    loaded = keras.models.load_model(path)
    for got, want in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0)):
        np.testing.assert_array_equal(got, want)
    assert loaded.metrics_names == model.metrics_names
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    history = loaded.fit(x, y, epochs=1, verbose=0).history
    assert set(history) == set(model.history.history)


def test_sequential_round_trip_and_json(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(2)])
    clone = keras.models.model_from_json(model.to_json())
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
    model.save_weights(tmp_path / "w.weights.h5")
    clone.load_weights(tmp_path / "w.weights.h5")
    x = np.ones((3, 4), np.float32)
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))


def test_load_weights_by_name_and_mismatch(tmp_path):
    a = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, name="shared"), keras.layers.Dense(2, name="a")])
    b = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, name="shared"), keras.layers.Dense(3, name="b")])
    a.save_weights(tmp_path / "a.h5")
    with pytest.raises(ValueError, match="no weights for layer"):
        b.load_weights(tmp_path / "a.h5", by_name=True)
    b.load_weights(tmp_path / "a.h5", by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(b.get_layer("shared").get_weights()[0], a.get_layer("shared").get_weights()[0])
    c = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5)])
    with pytest.raises(ValueError, match="containing 2 layers into a model with 1 layers"):
        c.load_weights(tmp_path / "a.h5")


class Scale(keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_custom_layers_need_custom_objects(tmp_path):
    model = keras.Sequential([keras.Input((2,)), Scale(3.0)])
    model.save(tmp_path / "m.h5")
    with pytest.raises(ValueError, match="Unknown layer: 'Scale'.*custom_objects"):
        keras.models.load_model(tmp_path / "m.h5")
    loaded = keras.models.load_model(tmp_path / "m.h5", custom_objects={"Scale": Scale})
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 2)), verbose=0), [[3.0, 3.0]])


def test_a_failed_save_keeps_the_previous_file(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "m.h5"
    model.save(path)
    before = path.read_bytes()
    from horn.frontend.saving import hdf5

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(hdf5, "write_weights", broken)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.h5"]


def test_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="No file"):
        keras.models.load_model(tmp_path / "missing.h5")
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="neither a .keras zip nor an HDF5 file"):
        keras.models.load_model(junk)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="weights file"):
        keras.models.load_model(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="'.keras' or '.h5'"):
        model.save(tmp_path / "m.onnx")


def test_model_checkpoint_saves_the_best_epochs(tmp_path):
    keras.config.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.random.default_rng(0).random((32, 3), dtype=np.float32)
    y = x.sum(axis=1, keepdims=True)
    best = keras.callbacks.ModelCheckpoint(str(tmp_path / "best.h5"), monitor="loss", save_best_only=True)
    every = keras.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch:02d}.weights.h5"), save_weights_only=True)
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[best, every]).history
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.h5", "e01.weights.h5", "e02.weights.h5",
                                                          "e03.weights.h5"]
    assert best.best == pytest.approx(min(history["loss"]))
    restored = keras.models.load_model(tmp_path / "best.h5")
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_hard_sigmoid_in_a_keras2_file_means_keras2s_formula(tmp_path):
    """Keras 2's hard_sigmoid (the default recurrent activation of 2.2's LSTM) was clip(0.2x+0.5, 0, 1)."""
    import h5py

    keras.config.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(5, recurrent_activation="hard_sigmoid")])
    path = tmp_path / "k2.h5"
    model.save(path)
    with h5py.File(path, "r+") as f:  # make it look like a file Keras 2.3 wrote
        f.attrs["keras_version"] = b"2.3.1"
    loaded = keras.models.load_model(path)
    assert loaded.layers[0].get_config()["recurrent_activation"] == "hard_sigmoid_keras2"
    x = np.random.default_rng(0).normal(size=(2, 4, 3)).astype(np.float32) * 3
    twin = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(5, recurrent_activation="hard_sigmoid_keras2")])
    twin.set_weights(model.get_weights())
    np.testing.assert_allclose(loaded.predict(x, verbose=0), twin.predict(x, verbose=0), atol=1e-6)
    assert np.abs(loaded.predict(x, verbose=0) - model.predict(x, verbose=0)).max() > 1e-3  # the formulas differ
