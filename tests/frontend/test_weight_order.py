"""Layers and weights are listed in Keras 3's order, so `set_weights(keras_model.get_weights())`
carries weights across: a functional model's layers by depth from the outputs (inputs first),
ties in the order a walk from the outputs meets them; each layer's weights in turn (a
BatchNormalization's moving statistics beside its gamma and beta); a stateful RNN's states are
not weights. Keras's HDF5 files keep Keras 2's order per top-level layer (trainable first).
The expected orders below are what Keras 3.15 printed for the same models."""

import h5py
import numpy as np

import horn as keras
from horn import layers

RNG = np.random.default_rng(3)


def _names(model):
    return [layer.name for layer in model.layers]


def test_functional_layers_in_keras_order():
    i = keras.Input(shape=(4,), name="input_layer")
    a = layers.Dense(3, name="a")(i)
    b = layers.Dense(3, name="b")(i)
    model = keras.Model(i, [layers.Dense(2, name="c")(b), a])
    assert _names(model) == ["input_layer", "b", "c", "a"]
    assert [w.shape for w in model.get_weights()] == [(4, 3), (3,), (3, 2), (2,), (4, 3), (3,)]
    i2 = keras.Input(shape=(5, 4), name="input_layer_1")
    two = keras.Model(i2, [layers.GRU(3, name="gru")(i2), layers.LSTM(3, name="lstm", go_backwards=True)(i2)])
    assert _names(two) == ["input_layer_1", "gru", "lstm"]
    # Two inputs into one Add: the first input's branch first.
    xa, xb = keras.Input((6,), dtype="int32"), keras.Input((6,), dtype="int32")
    merged = layers.Add()([layers.Embedding(10, 4, name="emb_a")(xa), layers.Embedding(10, 4, name="emb_b")(xb)])
    model = keras.Model([xa, xb], layers.LSTM(5, name="rnn")(merged))
    assert [w.path for w in model.weights] == ["emb_a/embeddings", "emb_b/embeddings", "rnn/lstm_cell/kernel",
                                              "rnn/lstm_cell/recurrent_kernel", "rnn/lstm_cell/bias"]


def test_each_layers_weights_in_turn():
    model = keras.Sequential([keras.Input(shape=(5,)), layers.BatchNormalization(name="bn"), layers.Dense(2, name="d")])
    assert [w.path for w in model.weights] == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance",
                                              "d/kernel", "d/bias"]
    assert [w.path for w in model.trainable_weights] == ["bn/gamma", "bn/beta", "d/kernel", "d/bias"]
    assert [w.path for w in model.non_trainable_weights] == ["bn/moving_mean", "bn/moving_variance"]
    model.layers[0].trainable = False
    assert [w.path for w in model.non_trainable_weights] == ["bn/gamma", "bn/beta", "bn/moving_mean",
                                                            "bn/moving_variance"]
    assert [w.path for w in model.weights][:4] == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
    wrapped = keras.Sequential([keras.Input(shape=(4, 5)), layers.TimeDistributed(layers.BatchNormalization()),
                                layers.Dense(2)])
    assert [w.shape for w in wrapped.get_weights()] == [(5,), (5,), (5,), (5,), (5, 2), (2,)]


def test_two_batch_norms_copy_by_position():
    """Same-shaped weights: only the right order keeps each value in its place."""
    def build():
        return keras.Sequential([keras.Input(shape=(5,)), layers.BatchNormalization(), layers.BatchNormalization()])
    src, dst = build(), build()
    values = [RNG.uniform(0.5, 2.0, 5).astype(np.float32) for _ in range(8)]
    src.set_weights(values)
    dst.set_weights(src.get_weights())
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    g1, b1, m1, v1, g2, b2, m2, v2 = values
    want = (x - m1) / np.sqrt(v1 + 1e-3) * g1 + b1
    want = (want - m2) / np.sqrt(v2 + 1e-3) * g2 + b2
    np.testing.assert_allclose(dst.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


def test_stateful_states_are_not_weights():
    x = keras.Input((6, 4), batch_size=2)
    model = keras.Model(x, layers.Dense(2, name="head")(layers.LSTM(5, stateful=True, name="rnn")(x)))
    assert [w.path for w in model.weights] == ["rnn/lstm_cell/kernel", "rnn/lstm_cell/recurrent_kernel",
                                              "rnn/lstm_cell/bias", "head/kernel", "head/bias"]
    assert len(model.layers[1].states) == 2


def test_hdf5_keeps_keras2_order_per_layer(tmp_path):
    """A nested model in an .h5 file: its trainable weights first, as Keras writes them."""
    inner = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, name="d1"), layers.BatchNormalization(name="bn"),
                              layers.Dense(2, name="d2")], name="inner")
    model = keras.Sequential([keras.Input(shape=(4,)), inner])
    model.set_weights([RNG.uniform(0.5, 1.5, w.shape).astype(np.float32) for w in model.weights])
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["model_weights/inner"].attrs["weight_names"]]
    assert [n.split("/", 1)[1] if n.count("/") > 1 else n for n in names] == [
        "d1/kernel", "d1/bias", "bn/gamma", "bn/beta", "d2/kernel", "d2/bias", "bn/moving_mean", "bn/moving_variance"]
    loaded = keras.models.load_model(tmp_path / "m.h5")
    for got, want in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(got, want)
