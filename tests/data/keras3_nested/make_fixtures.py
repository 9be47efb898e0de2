"""Writes the fixtures of tests/frontend/test_keras3_nested_files.py with real Keras 3 (3.15.1):

    cd tests/data/keras3_nested && KERAS_BACKEND=jax python make_fixtures.py

Each model holds layers inside layers, which Keras 3's .keras files store as nested groups
(`layers/bidirectional/forward_layer/cell/vars/0`, `layers/sequential/layers/dense_10/vars/0`).
It gets random weights (moving variances kept positive), is saved as NAME.keras, and
expected.npz holds NAME_x (its input) and NAME_y (Keras's predict output for it). Keras stores
the zip's members uncompressed; the script deflates them (same bytes inside) to keep the files
to a few KB."""

import zipfile

import keras
import numpy as np

L = keras.layers


def bidi_gru_concat():
    i = keras.Input((5, 3))
    return keras.Model(i, L.Bidirectional(L.GRU(3), merge_mode="concat")(i)), (5, 3)


def bidi_lstm_stacked():
    i = keras.Input((5, 3))
    x = L.Bidirectional(L.LSTM(3, return_sequences=True))(i)
    return keras.Model(i, L.Bidirectional(L.LSTM(2), merge_mode="sum")(x)), (5, 3)


def nested12():
    inner = keras.Sequential([keras.Input((4,))] + [L.Dense(3, activation="tanh") for _ in range(12)])
    i = keras.Input((4,))
    return keras.Model(i, inner(i)), (4,)


def td_seq_bn():
    inner = keras.Sequential([keras.Input((4,)), L.Dense(4), L.BatchNormalization(), L.Dense(3)])
    i = keras.Input((3, 4))
    return keras.Model(i, L.TimeDistributed(inner)(i)), (3, 4)


def functional_in_sequential():
    j = keras.Input((4,))
    a = L.Dense(3, activation="relu")(j)
    x = L.BatchNormalization()(L.Concatenate()([a, L.Dense(3)(j)]))
    inner = keras.Model(j, L.Dense(2)(x))
    return keras.Sequential([keras.Input((4,)), L.Dense(4), inner, L.Dense(2)]), (4,)


def stacked_cells():
    i = keras.Input((5, 3))
    return keras.Model(i, L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]))(i)), (5, 3)


def conv_lstm2d():  # horn keeps a ConvLSTM2D's weights itself, Keras in its `cell`
    i = keras.Input((2, 4, 4, 1))
    return keras.Model(i, L.ConvLSTM2D(2, 3, padding="same")(i)), (2, 4, 4, 1)


def deflate(path):
    with zipfile.ZipFile(path) as z:
        members = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members:
            z.writestr(name, data)


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    expected = {}
    for build in (bidi_gru_concat, bidi_lstm_stacked, nested12, td_seq_bn, functional_in_sequential,
                  stacked_cells, conv_lstm2d):
        model, shape = build()
        weights = [(0.4 * rng.standard_normal(v.shape)).astype("float32") for v in model.weights]
        model.set_weights([np.abs(w) + 0.5 if "variance" in v.path else w for w, v in zip(weights, model.weights)])
        x = rng.standard_normal((2,) + shape).astype("float32")
        expected[f"{build.__name__}_x"] = x
        expected[f"{build.__name__}_y"] = model.predict(x, verbose=0)
        model.save(f"{build.__name__}.keras")
        deflate(f"{build.__name__}.keras")
    np.savez("expected.npz", keras_version=keras.__version__, **expected)
