"""Writes the Keras-saved fixture of test_layers_extra (run with real Keras 3):

    KERAS_BACKEND=jax python make_fixtures.py

A model with the layers horn added after its first layer set (Rescaling, Permute, GaussianNoise,
UnitNormalization, Identity, ActivityRegularization, GaussianDropout, AlphaDropout) around two
Dense layers, saved as .keras and (legacy) .h5, with its inputs and Keras's predict outputs."""

import keras
import numpy as np

L = keras.layers
keras.utils.set_random_seed(11)
inputs = keras.Input(shape=(6, 4))
x = L.Rescaling([0.5, 1.0, 2.0, -1.0], offset=0.25)(inputs)
x = L.Permute((2, 1))(x)                     # (4, 6)
x = L.GaussianNoise(0.3, seed=3)(x)
x = L.Dense(5)(x)                            # (4, 5)
x = L.UnitNormalization(axis=[1, 2])(x)
x = L.Identity()(x)
x = L.ActivityRegularization(l1=0.01, l2=0.001)(x)
x = L.GaussianDropout(0.2)(x)
x = L.AlphaDropout(0.1, noise_shape=(None, 1, 5))(x)
x = L.Permute((2, 1))(x)                     # (5, 4)
outputs = L.Dense(3)(L.UnitNormalization()(x))
model = keras.Model(inputs, outputs)
rng = np.random.default_rng(0)
x0 = rng.standard_normal((7, 6, 4)).astype("float32")
model.save("extra.keras")
model.save("extra.h5")
np.savez("extra.npz", x0=x0, y0=model.predict(x0, verbose=0), keras=keras.__version__)
