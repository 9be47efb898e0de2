"""RandomBrightness: adds a random offset to each image while training (Keras 3)."""

from ... import ops
from ..layer import Layer
from .image_args import as_float, check_data_format, check_factor, check_value_range, per_image_uniform, spatial_axes


class RandomBrightness(Layer):
    """While training, adds d * (high - low) to every value of each image, with d drawn per image
    uniformly from [lower, upper], and clips to `value_range` = (low, high); the identity in
    predict, evaluate and export.

    Args:
        factor: a number f in [0, 1] (d in [-f, f]) or a pair (lower, upper) in [-1, 1]; -1 makes
            the image black, 1 white.
        value_range: (low, high) of the images' values, e.g. (0, 255) (default) or (0, 1).
        seed: makes the sequence of draws reproducible.
        data_format: 'channels_last' or 'channels_first' (Keras's config key; no effect here).

    Shapes: (N, H, W, C) or (H, W, C); the output has the input's shape, in the layer's dtype.

    Example: `RandomBrightness(0.2)` on images with values in [0, 255].
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = check_factor("RandomBrightness", factor, (-1, 1))
        self.value_range = check_value_range("RandomBrightness", value_range)
        self.seed = seed
        self.data_format = check_data_format("RandomBrightness", data_format)

    def call(self, inputs, training=False):
        spatial_axes("RandomBrightness", inputs.shape, self.data_format)
        inputs = as_float("RandomBrightness", inputs, self.dtype)
        if not training:
            return inputs
        low, high = (float(v) for v in self.value_range)
        delta = per_image_uniform(inputs, self.factor[0] * (high - low), self.factor[1] * (high - low), self.seed)
        return ops.clip(ops.add(inputs, delta), low, high)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed,
                "data_format": self.data_format}
