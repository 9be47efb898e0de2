"""GaussianDropout: multiplies by normal noise of mean 1 while training."""

import math

from ... import ops
from ..layer import Layer
from .noise_args import check_rate


class GaussianDropout(Layer):
    """Multiplies its input by normal noise of mean 1 and standard deviation
    sqrt(rate / (1 - rate)) while training: the variance Dropout(rate) gives, without zeros and
    with nothing to rescale. The identity in predict, evaluate and export.

    Args:
        rate: drop probability as in Dropout, in [0, 1).
        seed: makes the sequence of noise draws reproducible.

    Shapes: any; the output has the input's shape.

    Example: `GaussianDropout(0.2)` between two Dense layers.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate("GaussianDropout", rate)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        return ops.multiply(inputs, ops.normal_like(inputs, 1.0, stddev, seed=self.seed))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
