"""Resizing: resize images to a fixed height and width (Keras 3's preprocessing layer)."""

import numpy as np

from ... import ops
from ..layer import Layer
from .image_args import as_float, aspect_crop, check_data_format, check_size, crop_window, spatial_axes, static_hw

INTERPOLATIONS = ("bilinear", "nearest")


class Resizing(Layer):
    """Resizes images to (height, width) as Keras 3 does (TensorFlow's and JAX's half-pixel
    resize without antialiasing): one ONNX Resize.

    Args:
        height, width: the output size.
        interpolation: 'bilinear' (default) or 'nearest' (Keras's other methods, 'bicubic',
            'lanczos3', 'lanczos5' and 'area', are not supported).
        crop_to_aspect_ratio: first crop the centred window of the largest size with the target's
            aspect ratio, so that the image is not stretched.
        pad_to_aspect_ratio: first pad both sides of the short axis with `fill_value` to the
            target's aspect ratio, so that the image is not stretched.
        fill_mode: how the padding is filled; only 'constant' (as in Keras 3).
        fill_value: the padding's value.
        antialias: only False (horn has no antialiased resize).
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W); default
            keras.config.image_data_format().

    Shapes: (N, H, W, C) -> (N, height, width, C), or one image (H, W, C) -> (height, width, C);
    H and W must be known while tracing when cropping or padding. Integer images (uint8...) come
    back in their dtype, rounded and saturated, as in Keras.

    Example: `Resizing(224, 224, crop_to_aspect_ratio=True)` before an ImageNet model.
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.height = check_size("Resizing", "height", height)
        self.width = check_size("Resizing", "width", width)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"Resizing(interpolation=...) must be one of {INTERPOLATIONS} in horn, "
                             f"got interpolation={interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing takes at most one of crop_to_aspect_ratio=True and pad_to_aspect_ratio=True, "
                             "got both")
        if fill_mode != "constant":
            raise ValueError(f"Resizing(fill_mode=...) must be 'constant' (as in Keras 3), got fill_mode={fill_mode!r}")
        if antialias:
            raise NotImplementedError("Resizing(antialias=True) is not supported by horn; use antialias=False")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.antialias = False
        self.data_format = check_data_format("Resizing", data_format)

    def call(self, inputs):
        return resize_images("Resizing", inputs, (self.height, self.width), self.interpolation, self.data_format,
                             self.dtype, crop=self.crop_to_aspect_ratio, pad=self.pad_to_aspect_ratio,
                             fill_value=self.fill_value)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = spatial_axes("Resizing", shape, self.data_format)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias, "data_format": self.data_format}


def resize_images(who, images, size, interpolation, data_format, dtype, crop=False, pad=False, fill_value=0.0):
    """Resize images to `size`, after a centred aspect-ratio crop (`crop`) or a symmetric padding
    with `fill_value` (`pad`); integer images are rounded and saturated back to their dtype."""
    axes = spatial_axes(who, images.shape, data_format)
    in_dtype = np.dtype(images.dtype)
    x = as_float(who, images, dtype)
    if crop or pad:
        height, width = static_hw(who, images.shape, axes)
    if crop:
        starts, sizes = aspect_crop(height, width, *size)
        if sizes != (height, width):
            x = crop_window(x, axes, starts, sizes)
    elif pad:
        rows = max(height, int(float(width * size[0]) / size[1]))
        cols = max(width, int(float(height * size[1]) / size[0]))
        top, left = int(float(rows - height) / 2), int(float(cols - width) / 2)
        widths = [(0, 0)] * len(x.shape)
        if top > 0:  # Keras pads one axis only, the same amount on both sides
            widths[axes[0]] = (top, top)
        elif left > 0:
            widths[axes[1]] = (left, left)
        if top > 0 or left > 0:
            x = ops.pad(x, widths, constant_values=fill_value)
    if tuple(x.shape[a] for a in axes) != tuple(size):
        x = ops.resize_spatial(x, size, interpolation=interpolation, data_format=data_format)
    if in_dtype.kind in "iu":
        info = np.iinfo(in_dtype)
        x = ops.cast(ops.clip(ops.floor(ops.add(x, 0.5)), float(info.min), float(info.max)), in_dtype.name)
    return x
