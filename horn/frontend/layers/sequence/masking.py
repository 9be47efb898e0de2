"""Masking: marks the timesteps whose features all equal `mask_value` as padding."""

import numbers

import numpy as np

from ... import ops
from ..layer import Layer


class Masking(Layer):
    """Skips padded timesteps: a step whose every feature equals `mask_value` is masked.

    The output is the input with masked steps set to 0, and the mask (batch, time) it emits is
    honoured by RNNs, TimeDistributed and the loss.

    Args:
        mask_value: the padding value (default 0.).

    Shapes: (batch, time, features) -> the same; mask (batch, time).

    Example: `Masking(mask_value=-1.0, input_shape=(10, 3))` before an LSTM.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(mask_value, numbers.Real) or isinstance(mask_value, bool):
            raise TypeError(f"Masking(mask_value=...) must be a number, got {mask_value!r}")
        self.mask_value = float(mask_value)
        self.supports_masking = True

    def _kept(self, inputs, keepdims):
        """1 where any feature differs from mask_value, as inputs' dtype; (batch, time[, 1])."""
        differs = ops.cast(ops.not_equal(inputs, np.asarray(self.mask_value, inputs.dtype)), inputs.dtype)
        return ops.max(differs, axis=-1, keepdims=keepdims)

    def call(self, inputs):
        return ops.multiply(inputs, self._kept(inputs, keepdims=True))

    def compute_mask(self, inputs, mask=None):
        return ops.greater(self._kept(inputs, keepdims=False), np.zeros((), inputs.dtype))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
