"""Dropout: zeroes a fraction `rate` of the inputs while training, scaling the rest up."""

import numbers

from ... import ops
from ..layer import Layer


class Dropout(Layer):
    """Randomly sets inputs to 0 with probability `rate` during training (inverted dropout).

    Args:
        rate: fraction of the inputs to drop, in [0, 1).
        noise_shape: not supported yet beyond None (one mask element per input element).
        seed: makes the sequence of masks reproducible.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
            raise TypeError(f"Dropout(rate=...) must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout(rate=...) must be in [0, 1), got {rate!r}")
        if noise_shape is not None:
            raise NotImplementedError("Dropout(noise_shape=...) is not supported by horn yet")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return ops.dropout(inputs, self.rate, seed=self.seed)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
