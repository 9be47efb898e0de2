"""Writes outputs.npz: Keras 3 RandomTranslation / RandomRotation / RandomZoom applied with fixed
(given) transformations, through each layer's transform_images. Needs keras (JAX backend), not horn:
    KERAS_BACKEND=jax python make_fixtures.py"""

import json
import os

import numpy as np
from keras import layers

x = np.random.default_rng(0).uniform(0, 1, (3, 7, 9, 2)).astype(np.float32)
translations = np.array([[1.3, -2.4], [-3.7, 0.6], [0.0, 4.2]], np.float32)  # (dx, dy) pixels
degrees = np.array([17.0, -113.0, 251.0], np.float32)
zooms = np.array([[1.3, 0.7], [0.55, 1.8], [1.25, 1.25]], np.float32)  # (zx, zy)
out, cases = {"x": x, "translations": translations, "degrees": degrees, "zooms": zooms}, {}
for fill_mode in ("reflect", "wrap", "constant", "nearest"):
    for interpolation in ("bilinear", "nearest"):
        for fill_value in ((0.0, 0.7) if fill_mode == "constant" else (0.0,)):
            kw = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=fill_value)
            tag = f"{fill_mode}-{interpolation}-{fill_value}"
            t = layers.RandomTranslation(0.5, 0.5, **kw)
            out[f"translation-{tag}"] = np.asarray(t.transform_images(x, {"translations": translations,
                                                                          "input_shape": x.shape}))
            r = layers.RandomRotation(0.5, **kw)
            matrix = r._compute_affine_matrix(
                center_x=0.5, center_y=0.5, angle=degrees, translate_x=np.zeros(3, np.float32),
                translate_y=np.zeros(3, np.float32), scale=np.ones(3, np.float32),
                shear_x=np.zeros(3, np.float32), shear_y=np.zeros(3, np.float32), height=7, width=9)
            out[f"rotation-{tag}"] = np.asarray(r.transform_images(x, {"rotation_matrix": matrix}))
            z = layers.RandomZoom(0.5, 0.5, **kw)
            out[f"zoom-{tag}"] = np.asarray(z.transform_images(x, {"width_zoom": zooms[:, :1],
                                                                   "height_zoom": zooms[:, 1:],
                                                                   "input_shape": x.shape}))
            cases.update({f"{k}-{tag}": kw for k in ("translation", "rotation", "zoom")})
configs = {name: getattr(layers, name)(**kw).get_config() for name, kw in [
    ("RandomTranslation", dict(height_factor=(-0.2, 0.3), width_factor=0.1, fill_mode="constant", seed=3)),
    ("RandomRotation", dict(factor=0.25, fill_mode="nearest", interpolation="nearest", fill_value=0.5)),
    ("RandomZoom", dict(height_factor=(-0.3, 0.2), fill_mode="wrap", seed=1))]}
out["cases"] = np.array(json.dumps(cases))
out["configs"] = np.array(json.dumps(configs))
np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), "outputs.npz"), **out)
