"""RepeatVector: (batch, features) -> (batch, n, features)."""

import numbers

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer


class RepeatVector(Layer):
    """Repeats its 2-D input `n` times along a new time axis (seq2seq: encoder state -> decoder steps).

    Args:
        n: how many times to repeat.

    Shapes: (batch, features) -> (batch, n, features).

    Example: `RepeatVector(4)` after an `LSTM(128)` encoder.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"RepeatVector(n=...) needs a positive integer, got {n!r}")
        self.n = int(n)
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}

