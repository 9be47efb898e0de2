"""Dropout: zeroes a fraction `rate` of the inputs while training, scaling the rest up."""

import numbers

from ... import ops
from ..layer import Layer


class Dropout(Layer):
    """Randomly sets inputs to 0 with probability `rate` during training (inverted dropout).

    Args:
        rate: fraction of the inputs to drop, in [0, 1).
        noise_shape: the shape of the keep/drop mask, broadcast over the input: e.g.
            (batch_size, 1, features) drops the same features at every timestep; None entries
            take the input's size.
        seed: makes the sequence of masks reproducible.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
            raise TypeError(f"Dropout(rate=...) must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout(rate=...) must be in [0, 1), got {rate!r}")
        self.rate, self.seed = float(rate), seed
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None:
            return ops.dropout(inputs, self.rate, seed=self.seed)
        mask = ops.dropout_mask(noise_slice(inputs, self.noise_shape, self.name), self.rate, seed=self.seed)
        return ops.multiply(inputs, mask)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}


def noise_slice(inputs, noise_shape, layer_name):
    """A slice of `inputs` with the shape `noise_shape` (None entries: the input's size), one
    element per independent draw of a noise mask broadcast back over the input."""
    shape = tuple(inputs.shape)
    if len(noise_shape) != len(shape):
        raise ValueError(f"Layer '{layer_name}' has noise_shape {noise_shape}, which does not match "
                         f"the rank of its input shape {shape}")
    sizes = []
    for d, n in zip(shape, noise_shape):
        if n is None or n == d:
            sizes.append(-1)
        elif n == 1:
            sizes.append(1)
        else:
            raise ValueError(f"Layer '{layer_name}' has noise_shape {noise_shape}, which does not "
                             f"broadcast to its input shape {shape} (each entry must be 1 or the input's size)")
    return ops.slice(inputs, [0] * len(shape), sizes)
