"""RandomFlip: flips images at random while training (Keras 3's augmentation layer)."""

from ... import ops
from ..layer import Layer
from .image_args import as_float, check_data_format, per_image_uniform, spatial_axes

MODES = ("horizontal_and_vertical", "horizontal", "vertical")


class RandomFlip(Layer):
    """Flips each image of the batch with probability 1/2 while training; the identity in
    predict, evaluate and export.

    As in Keras 3, one draw per image decides: with mode 'horizontal_and_vertical' an image is
    either left as it is or flipped along both axes (rotated by 180 degrees), never along one
    axis only.

    Args:
        mode: 'horizontal_and_vertical' (default), 'horizontal' (left-right) or 'vertical'
            (upside down).
        seed: makes the sequence of draws reproducible.
        data_format: 'channels_last' (N, H, W, C) or 'channels_first' (N, C, H, W); default
            keras.config.image_data_format().

    Shapes: (N, H, W, C) or (H, W, C); the output has the input's shape, in the layer's dtype.

    Example: `RandomFlip("horizontal")` right after the input of an image classifier.
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"RandomFlip(mode=...) must be one of {MODES}, got mode={mode!r}")
        self.mode = mode
        self.seed = seed
        self.data_format = check_data_format("RandomFlip", data_format)

    def call(self, inputs, training=False):
        height_axis, width_axis = spatial_axes("RandomFlip", inputs.shape, self.data_format)
        inputs = as_float("RandomFlip", inputs, self.dtype)
        if not training:
            return inputs
        axes = {"horizontal": [width_axis], "vertical": [height_axis]}.get(self.mode, [height_axis, width_axis])
        flip = ops.less_equal(per_image_uniform(inputs, 0.0, 1.0, self.seed), 0.5)
        return ops.where(flip, ops.flip(inputs, axes), inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "seed": self.seed, "data_format": self.data_format}
