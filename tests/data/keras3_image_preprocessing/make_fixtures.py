"""Writes outputs.npz: real Keras 3's Resizing and CenterCrop outputs on two small random images.

Run with a Keras 3 install (not horn), from this folder:
    KERAS_BACKEND=jax python make_fixtures.py
Each key "<case>" holds Keras's output for the layer built from CASES[case] applied to "x"
(channels_last, shape (2, 7, 9, 3)); a case with "data_format": "channels_first" gets "x"
transposed to (2, 3, 7, 9).
"""

import json

import keras
import numpy as np

CASES = {
    "resize_down_bilinear": ("Resizing", dict(height=4, width=5)),
    "resize_up_bilinear": ("Resizing", dict(height=14, width=18)),
    "resize_mixed_bilinear": ("Resizing", dict(height=5, width=13)),
    "resize_odd_up_bilinear": ("Resizing", dict(height=10, width=11)),
    "resize_down_nearest": ("Resizing", dict(height=4, width=5, interpolation="nearest")),
    "resize_up_nearest": ("Resizing", dict(height=14, width=18, interpolation="nearest")),
    "resize_mixed_nearest": ("Resizing", dict(height=5, width=13, interpolation="nearest")),
    "resize_odd_up_nearest": ("Resizing", dict(height=10, width=11, interpolation="nearest")),
    "resize_crop_square": ("Resizing", dict(height=6, width=6, crop_to_aspect_ratio=True)),
    "resize_crop_wide_nearest": ("Resizing", dict(height=3, width=8, crop_to_aspect_ratio=True,
                                                  interpolation="nearest")),
    "resize_crop_tall_up": ("Resizing", dict(height=16, width=8, crop_to_aspect_ratio=True)),
    "resize_pad_square": ("Resizing", dict(height=6, width=6, pad_to_aspect_ratio=True, fill_value=0.5)),
    "resize_pad_wide": ("Resizing", dict(height=4, width=12, pad_to_aspect_ratio=True)),
    "resize_channels_first": ("Resizing", dict(height=4, width=12, data_format="channels_first")),
    "center_crop_smaller": ("CenterCrop", dict(height=5, width=5)),
    "center_crop_odd": ("CenterCrop", dict(height=4, width=8)),
    "center_crop_same": ("CenterCrop", dict(height=7, width=9)),
    "center_crop_taller": ("CenterCrop", dict(height=10, width=4)),
    "center_crop_larger": ("CenterCrop", dict(height=12, width=16)),
    "center_crop_channels_first": ("CenterCrop", dict(height=5, width=3, data_format="channels_first")),
}


def main():
    x = np.random.default_rng(0).uniform(0, 255, (2, 7, 9, 3)).astype(np.float32)
    out = {"x": x, "cases": np.array(json.dumps(CASES))}
    for key, (name, kwargs) in CASES.items():
        inputs = x.transpose(0, 3, 1, 2) if kwargs.get("data_format") == "channels_first" else x
        out[key] = np.asarray(getattr(keras.layers, name)(**kwargs)(inputs))
    np.savez("outputs.npz", **out)


if __name__ == "__main__":
    main()
