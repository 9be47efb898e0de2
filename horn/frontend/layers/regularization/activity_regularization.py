"""ActivityRegularization: the identity, adding an L1/L2 penalty on its output to the loss."""

import numbers

from ... import regularizers
from ..layer import Layer


class ActivityRegularization(Layer):
    """Passes its input through and, while training, adds l1 * sum(|x|) + l2 * sum(x^2), divided
    by the batch size, to the loss: the same penalty any layer's `activity_regularizer=L1L2(l1, l2)`
    adds (the base Layer applies it to the outputs of call()).

    Args:
        l1: L1 factor, >= 0.
        l2: L2 factor, >= 0.

    Shapes: any; the output has the input's shape.

    Example: `ActivityRegularization(l1=1e-4)` after a Dense layer to keep its outputs sparse.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)  # set from l1 and l2 below, as Keras does
        super().__init__(**kwargs)
        for arg, value in (("l1", l1), ("l2", l2)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool):
                raise TypeError(f"ActivityRegularization({arg}=...) must be a number >= 0, got {value!r}")
            if value < 0:
                raise ValueError(f"ActivityRegularization({arg}=...) must be >= 0, got {arg}={value!r}")
        self.l1, self.l2 = float(l1), float(l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2) if self.l1 or self.l2 else None
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
