"""Writes k.keras, k.h5 and expected.npz with real Keras 3 on TensorFlow (its adapt() needs
tf.data; run in the peers' tf venv): KERAS_BACKEND=tensorflow python make_fixtures.py"""

import os

import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

rng = np.random.default_rng(0)
x = (rng.normal(size=(50, 4, 3)) * [1, 5, 0.1] + [3, -2, 7]).astype("float32")
q = (rng.normal(size=(6, 4, 3)) * 2).astype("float32")
one = keras.layers.Normalization()
one.adapt(x)
batched = keras.layers.Normalization()
batched.adapt([x[:20], x[20:33], x[33:]])
norm = keras.layers.Normalization()
norm.adapt(x.reshape(-1, 3))
model = keras.Sequential([keras.Input((3,)), norm, keras.layers.Dense(1, kernel_initializer="ones")])
model.compile(keras.optimizers.SGD(0.01), "mse")
train = x.reshape(-1, 3)[:40]
model.fit(train, train.sum(1, keepdims=True), epochs=2, batch_size=8, shuffle=False, verbose=0)
model.save(os.path.join(HERE, "k.keras"))
model.save(os.path.join(HERE, "k.h5"))
np.savez(os.path.join(HERE, "expected.npz"), q=q.reshape(-1, 3), predicted=model.predict(q.reshape(-1, 3), verbose=0),
         adapt0=np.asarray(one(q)), batches0=np.asarray(batched(q)), w0_mean=one.get_weights()[0],
         w0_var=one.get_weights()[1])
