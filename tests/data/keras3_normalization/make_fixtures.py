import sys, pickle, numpy as np
if sys.argv[1] == "horn":
    sys.path.insert(0, "/work/main"); import horn as keras
else:
    import keras
rng = np.random.default_rng(0)
x = (rng.normal(size=(50, 4, 3)) * [1, 5, 0.1] + [3, -2, 7]).astype("float32")
q = (rng.normal(size=(6, 4, 3)) * 2).astype("float32")
out = {}
for k, ax in enumerate([-1, None, (1, 2), 1]):
    n = keras.layers.Normalization(axis=ax); n.adapt(x); out[f"adapt{k}"] = np.asarray(n(q))
    out[f"w{k}"] = [np.asarray(w) for w in n.get_weights()]
    nb = keras.layers.Normalization(axis=ax); nb.adapt([x[:20], x[20:33], x[33:]]); out[f"batches{k}"] = np.asarray(nb(q))
ni = keras.layers.Normalization(invert=True); ni.adapt(x); out["invert"] = np.asarray(ni(q))
ng = keras.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.0, 9.0]); out["given"] = np.asarray(ng(q))
ns = keras.layers.Normalization(axis=None, mean=2.0, variance=3.0); out["scalar"] = np.asarray(ns(q))
# in a model, trained, saved
norm = keras.layers.Normalization(); norm.adapt(x.reshape(-1, 3))
m = keras.Sequential([keras.Input((3,)), norm, keras.layers.Dense(1, kernel_initializer="ones")])
m.compile(keras.optimizers.SGD(0.01), "mse")
xx = x.reshape(-1, 3)[:40]; yy = xx.sum(1, keepdims=True)
m.fit(xx, yy, epochs=2, batch_size=8, shuffle=False, verbose=0)
out["model"] = m.predict(q.reshape(-1, 3), verbose=0)
if sys.argv[1] == "keras":
    m.save("/tmp/norm/k.keras"); m.save("/tmp/norm/k.h5")
pickle.dump(out, open(f"/tmp/norm/{sys.argv[1]}.pkl", "wb"))
