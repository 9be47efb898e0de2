"""Writes the fixtures of test_lambda (run with real Keras 3, Python 3.11 as horn's tests):

    KERAS_BACKEND=jax python make_fixtures.py

A model with a Python lambda (its bytecode is saved) and a named function, saved as .keras and
.h5, with its inputs and Keras's outputs."""

import keras
import numpy as np

L = keras.layers


def scale_rows(t, factor=3.0):
    return t * factor


keras.utils.set_random_seed(5)
inputs = keras.Input((4,))
x = L.Lambda(lambda t: keras.ops.square(t) * 2.0, name="squared")(inputs)
x = L.Lambda(scale_rows, name="scaled")(x)
model = keras.Model(inputs, L.Dense(2)(x))
x0 = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
model.save("lambda.keras")
model.save("lambda.h5")
np.savez("lambda.npz", x0=x0, y=model.predict(x0, verbose=0))
