"""Writes the fixture of test_keras3_weights_files (run with real Keras 3):

    KERAS_BACKEND=jax python make_fixtures.py

A model with a Bidirectional LSTM, BatchNormalization and a nested Sequential, its weights
saved with Keras 3's save_weights (the `.weights.h5` layout), its inputs and Keras's outputs."""

import keras
import numpy as np

L = keras.layers
keras.utils.set_random_seed(3)
inputs = keras.Input((5, 3))
x = L.Bidirectional(L.LSTM(4, return_sequences=True))(inputs)
x = L.BatchNormalization()(x)
x = L.GlobalAveragePooling1D()(x)
head = keras.Sequential([L.Dense(6, activation="relu"), L.Dense(2)], name="head")
model = keras.Model(inputs, head(x))
rng = np.random.default_rng(0)
model.layers[2].set_weights([rng.uniform(0.5, 1.5, 8).astype("float32") for _ in range(4)])  # non-trivial BN
model.save_weights("model.weights.h5")
x0 = rng.standard_normal((3, 5, 3)).astype("float32")
np.savez("model.npz", x0=x0, y=model.predict(x0, verbose=0))
