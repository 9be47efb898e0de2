"""AlphaDropout: dropout that keeps SELU's self-normalizing mean and variance."""

from ... import ops
from ..core.dropout import noise_slice
from ..layer import Layer
from .noise_args import check_rate

# SELU's constants; a dropped unit is set to SELU's negative saturation value -scale * alpha.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_ALPHA_P = -_SELU_ALPHA * _SELU_SCALE


class AlphaDropout(Layer):
    """While training, sets each input to SELU's saturation value alpha' = -scale * alpha with
    probability `rate`, then applies the affine map a * x + b that brings the mean and variance
    back to those of the input (for zero-mean, unit-variance inputs, as SELU networks keep):
    a = ((1 - rate) * (1 + rate * alpha'^2)) ** -0.5, b = -a * alpha' * rate.
    The identity in predict, evaluate and export.

    Args:
        rate: drop probability, in [0, 1).
        noise_shape: shape of the keep/drop mask, broadcast over the input (None entries take the
            input's size), as in Dropout.
        seed: makes the sequence of masks reproducible.

    Shapes: any; the output has the input's shape.

    Example: `AlphaDropout(0.1)` after `Dense(64, activation="selu", kernel_initializer="lecun_normal")`.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_rate("AlphaDropout", rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        a = ((1 - self.rate) * (1 + self.rate * _ALPHA_P**2)) ** -0.5
        b = -a * _ALPHA_P * self.rate
        like = inputs if self.noise_shape is None else noise_slice(inputs, self.noise_shape, self.name)
        draws = ops.uniform_like(like, seed=self.seed)
        kept = ops.cast(ops.greater_equal(draws, self.rate), inputs.dtype.name)
        # kept inputs stay, dropped ones become alpha'; then the affine correction
        masked = ops.add(ops.multiply(inputs, kept), ops.multiply(_ALPHA_P, ops.subtract(1.0, kept)))
        return ops.add(ops.multiply(masked, a), b)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
