"""GaussianNoise: adds zero-centred normal noise while training."""

from ... import ops
from ..layer import Layer
from .noise_args import check_stddev


class GaussianNoise(Layer):
    """Adds normal noise of mean 0 and standard deviation `stddev` to its input while training
    (a random data augmentation for real-valued inputs); the identity in predict, evaluate and
    export.

    Args:
        stddev: standard deviation of the noise, >= 0.
        seed: makes the sequence of noise draws reproducible.

    Shapes: any; the output has the input's shape.

    Example: `GaussianNoise(0.1)` right after the input of a small regression model.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = check_stddev("GaussianNoise", stddev)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return ops.add(inputs, ops.normal_like(inputs, 0.0, self.stddev, seed=self.seed))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}
