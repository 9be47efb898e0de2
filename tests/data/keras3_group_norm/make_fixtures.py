"""Writes k.keras and expected.npz with real Keras 3 (run in the peers' jax venv):
KERAS_BACKEND=jax python make_fixtures.py"""

import os

import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

rng = np.random.default_rng(0)
x = rng.normal(size=(3, 5, 6, 8)).astype("float32") * 3 + 1
inputs = keras.Input((5, 6, 8))
hidden = keras.layers.GroupNormalization(groups=4)(inputs)
model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Flatten()(hidden)))
model.compile(keras.optimizers.SGD(0.05), "mse")
model.train_on_batch(x, rng.normal(size=(3, 1)).astype("float32"))
model.save(os.path.join(HERE, "k.keras"))
np.savez(os.path.join(HERE, "expected.npz"), x=x, predicted=model.predict(x, verbose=0))
