"""RandomCrop: crops a random (height, width) window while training (Keras 3's augmentation)."""

import numpy as np

from ... import ops
from ..layer import Layer
from .image_args import (
    as_float,
    aspect_crop,
    check_data_format,
    check_size,
    crop_window,
    per_image_uniform,
    spatial_axes,
    static_hw,
)
from .resizing import resize_images


class RandomCrop(Layer):
    """While training, crops a (height, width) window at a random position, the same position for
    every image of the batch (as Keras 3 does); outside training (predict, evaluate, export)
    returns the centred window of the largest size with the target's aspect ratio, resized
    bilinearly to (height, width) (Keras's documented inference behaviour, Keras 2's smart_resize;
    Keras 3.15 itself returns the input unchanged there, whose shape then differs from its
    compute_output_shape). An input not larger than the target along both axes takes that deterministic
    path in training too.

    Args:
        height, width: the output size.
        seed: makes the sequence of draws reproducible.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W).

    Shapes: (N, H, W, C) -> (N, height, width, C), or (H, W, C) -> (height, width, C); H and W
    must be known while tracing. The output is in the layer's dtype.

    Example: `RandomCrop(28, 28)` on 32x32 images.
    """

    def __init__(self, height, width, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.height = check_size("RandomCrop", "height", height)
        self.width = check_size("RandomCrop", "width", width)
        self.seed = seed
        self.data_format = check_data_format("RandomCrop", data_format)

    def call(self, inputs, training=False):
        axes = spatial_axes("RandomCrop", inputs.shape, self.data_format)
        height, width = static_hw("RandomCrop", inputs.shape, axes)
        size = (self.height, self.width)
        if not (training and height > self.height and width > self.width):
            if training and (height, width) != size:  # Keras 3: a centred crop, then a stretching resize
                x = as_float("RandomCrop", inputs, self.dtype)
                starts, _ = aspect_crop(height, width, *size)
                x = crop_window(x, axes, starts, (min(self.height, height - starts[0]),
                                                  min(self.width, width - starts[1])))
                return resize_images("RandomCrop", x, size, "bilinear", self.data_format, self.dtype)
            return resize_images("RandomCrop", inputs, size, "bilinear", self.data_format, self.dtype, crop=True)
        x = as_float("RandomCrop", inputs, self.dtype)
        like = per_image_uniform(x, 0.0, 1.0, None)
        if len(x.shape) == 4:
            like = ops.take(like, np.array([0], np.int64), axis=0)  # one draw per batch, (1, 1, 1, 1)
        for j, (axis, n, k) in enumerate(zip(axes, (height, width), size)):
            seed = None if self.seed is None else int(self.seed) + j  # two independent streams
            start = ops.floor(ops.uniform_like(like, 0.0, float(n - k + 1), seed=seed))
            start = ops.minimum(ops.cast(ops.reshape(start, (1,)), "int64"), np.array([n - k], np.int64))
            x = ops.take(x, ops.add(start, np.arange(k, dtype=np.int64)), axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = spatial_axes("RandomCrop", shape, self.data_format)
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width, "seed": self.seed,
                "data_format": self.data_format}
