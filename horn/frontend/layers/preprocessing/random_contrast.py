"""RandomContrast: scales each image's contrast by a random factor while training (Keras 3)."""

from ... import ops
from ..layer import Layer
from .image_args import as_float, check_data_format, check_factor, check_value_range, per_image_uniform, spatial_axes


class RandomContrast(Layer):
    """While training, maps each pixel x of each channel of each image to
    (x - mean) * c + mean, clipped to `value_range`, with mean the channel's mean over the image
    and c drawn per image uniformly from [1 - lower, 1 + upper]; the identity in predict,
    evaluate and export.

    Args:
        factor: a number f in [0, 1] or a pair (lower, upper) in [0, 1]. As in Keras 3, a number
            f gives (lower, upper) = (0, f), so c lies in [1, 1 + f] (contrast is only raised);
            pass (f, f) for [1 - f, 1 + f].
        value_range: (low, high) of the images' values, e.g. (0, 255) (default) or (0, 1).
        seed: makes the sequence of draws reproducible.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W).

    Shapes: (N, H, W, C) or (H, W, C); the output has the input's shape, in the layer's dtype.

    Example: `RandomContrast((0.2, 0.2), value_range=(0, 1))` after `Rescaling(1 / 255)`.
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = check_factor("RandomContrast", factor, (0, 1))
        self.value_range = tuple(check_value_range("RandomContrast", value_range, sort=False))
        self.seed = seed
        self.data_format = check_data_format("RandomContrast", data_format)

    def call(self, inputs, training=False):
        axes = spatial_axes("RandomContrast", inputs.shape, self.data_format)
        inputs = as_float("RandomContrast", inputs, self.dtype)
        if not training:
            return inputs
        contrast = per_image_uniform(inputs, 1.0 - self.factor[0], 1.0 + self.factor[1], self.seed)
        mean = ops.mean(inputs, axis=list(axes), keepdims=True)
        out = ops.add(ops.multiply(ops.subtract(inputs, mean), contrast), mean)
        return ops.clip(out, float(self.value_range[0]), float(self.value_range[1]))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed,
                "data_format": self.data_format}
