"""ThresholdedReLU: Keras 2's advanced activation x if x > theta else 0 (removed in Keras 3)."""

import numbers

from ... import ops
from ..layer import Layer


class ThresholdedReLU(Layer):
    """x where x > theta, else 0.

    Keras 3 dropped this layer; horn keeps it so that Keras 2 models holding it load.

    Args:
        theta: the threshold, >= 0 (float, default 1.0).

    Shapes: any; the output has the input's shape.

    Example: `ThresholdedReLU(0.5)` maps [0.2, 0.5, 0.7] to [0, 0, 0.7].
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(theta, numbers.Real) or isinstance(theta, bool):
            raise TypeError(f"ThresholdedReLU(theta=...) must be a number >= 0, got {theta!r}")
        if theta < 0:
            raise ValueError(f"ThresholdedReLU(theta=...) must be >= 0, got theta={theta}")
        self.theta = float(theta)
        self.supports_masking = True

    def call(self, inputs):
        # Keras 2's formula: x times a 0/1 mask, so the gradient is 1 above theta and 0 below.
        above = ops.cast(ops.greater(inputs, self.theta), inputs.dtype.name)
        return ops.multiply(inputs, above)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}
