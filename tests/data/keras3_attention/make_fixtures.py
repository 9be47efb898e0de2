"""Writes the fixtures of tests/frontend/test_attention.py with real Keras 3 (3.15.1):

    cd tests/data/keras3_attention && KERAS_BACKEND=jax python make_fixtures.py

- transformer.keras / transformer.h5: Embedding(mask_zero=True) -> MultiHeadAttention
  self-attention -> Add -> LayerNormalization -> GlobalAveragePooling1D -> Dense, with random
  weights. MultiHeadAttention keeps its weights in four sublayers (query_dense, key_dense,
  value_dense, output_dense groups in the .keras file; mha/query/kernel, ... in the .h5 file).
- dense_attention.keras: Attention(use_scale, score_mode='concat') and AdditiveAttention over
  two masked token inputs.
- expected.npz: NAME_x (inputs) and NAME_y (Keras's predict output), and for the transformer one
  SGD(0.1) step of train_on_batch with mean squared error: step_x, step_y, step_loss and
  step_w{i} (the weights after the step).
Keras stores the zip's members uncompressed; the script deflates them (same bytes inside)."""

import zipfile

import keras
import numpy as np

L = keras.layers
TOKENS = np.array([[3, 1, 4, 1, 5, 0], [2, 7, 0, 0, 0, 0], [6, 6, 6, 2, 8, 9]], "int32")


def transformer():
    i = keras.Input((None,), dtype="int32")
    e = L.Embedding(12, 8, mask_zero=True)(i)
    a = L.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(e, e, use_causal_mask=True)
    x = L.LayerNormalization()(L.Add()([e, a]))
    return keras.Model(i, L.Dense(3)(L.GlobalAveragePooling1D()(x))), TOKENS


def dense_attention():
    a, b = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    q, v = L.Embedding(12, 5, mask_zero=True)(a), L.Embedding(12, 5, mask_zero=True)(b)
    x = L.Attention(use_scale=True, score_mode="concat")([q, v])
    y = L.AdditiveAttention()([q, v])
    pooled = L.GlobalAveragePooling1D()(L.Add()([x, y]))
    return keras.Model([a, b], pooled), [TOKENS, TOKENS[::-1, :4].copy()]


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
    for build in (transformer, dense_attention):
        model, x = build()
        model.set_weights([(0.5 * rng.standard_normal(v.shape)).astype("float32") for v in model.weights])
        name = build.__name__
        expected[f"{name}_y"] = model.predict(x, verbose=0)
        for i, xi in enumerate(x if isinstance(x, list) else [x]):
            expected[f"{name}_x{i}"] = xi
        model.save(f"{name}.keras")
        deflate(f"{name}.keras")
        if name == "transformer":
            model.save("transformer.h5")
            model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
            target = rng.standard_normal((len(x), 3)).astype("float32")
            expected["step_y"] = target
            expected["step_loss"] = np.float32(model.train_on_batch(x, target))
            for i, w in enumerate(model.get_weights()):
                expected[f"step_w{i}"] = w
    np.savez_compressed("expected.npz", **expected)
