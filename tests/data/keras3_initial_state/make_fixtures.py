"""Writes the Keras-saved fixtures of test_saving's initial_state tests (run with real Keras 3):

    KERAS_BACKEND=jax python make_fixtures.py

An encoder-decoder whose decoder LSTM takes initial_state=[h, c] from the encoder (the classic
Keras seq2seq), saved as .keras and .h5, with its inputs and Keras's predict outputs."""

import keras
import numpy as np

L = keras.layers
keras.utils.set_random_seed(7)
encoder_in, decoder_in = keras.Input(shape=(5, 3)), keras.Input(shape=(4, 2))
_, h, c = L.LSTM(6, return_state=True)(encoder_in)
x = L.LSTM(6, return_sequences=True)(decoder_in, initial_state=[h, c])
model = keras.Model([encoder_in, decoder_in], L.TimeDistributed(L.Dense(5, activation="softmax"))(x))
rng = np.random.default_rng(0)
x0, x1 = rng.standard_normal((3, 5, 3)).astype("float32"), rng.standard_normal((3, 4, 2)).astype("float32")
model.save("encdec.keras")
model.save("encdec.h5")
np.savez("encdec.npz", x0=x0, x1=x1, y=model.predict([x0, x1], verbose=0), keras=keras.__version__)
