import sys, pickle, numpy as np
if sys.argv[1] == "horn":
    sys.path.insert(0, "/work/main"); import horn as keras
else:
    import keras
rng = np.random.default_rng(0)
x4 = rng.normal(size=(3, 5, 6, 8)).astype("float32") * 3 + 1
x3 = rng.normal(size=(4, 7, 12)).astype("float32")
out = {}
cases = [(x4, dict(groups=4)), (x4, dict(groups=-1)), (x4, dict(groups=1, epsilon=1e-5)), (x3, dict(groups=3, center=False)),
         (x3, dict(groups=6, scale=False)), (np.transpose(x4, (0, 3, 1, 2)).copy(), dict(groups=2, axis=1))]
for k, (x, c) in enumerate(cases):
    l = keras.layers.GroupNormalization(**c); l.build(x.shape)
    l.set_weights([(rng.normal(size=w.shape) * 0.5 + 1).astype("float32") for w in l.weights])
    out[k] = np.asarray(l(x)); out[f"w{k}"] = [np.asarray(w) for w in l.get_weights()]
# training step
inp = keras.Input((5, 6, 8)); h = keras.layers.GroupNormalization(groups=4)(inp)
m = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Flatten()(h)))
if sys.argv[1] == "keras":
    np.savez("/tmp/gn/init.npz", *m.get_weights())
else:
    d = np.load("/tmp/gn/init.npz"); m.set_weights([d[f"arr_{i}"] for i in range(len(d.files))])
m.compile(keras.optimizers.SGD(0.05), "mse")
y = rng.normal(size=(3, 1)).astype("float32")
m.train_on_batch(x4, y); out["step"] = [np.asarray(w) for w in m.get_weights()]
if sys.argv[1] == "keras":
    m.save("/tmp/gn/k.keras")
out["pred"] = m.predict(x4, verbose=0)
pickle.dump(out, open(f"/tmp/gn/{sys.argv[1]}.pkl", "wb"))
