"""Flatten: (batch, d1, d2, ...) -> (batch, d1*d2*...)."""

import numpy as np

from ... import ops
from ...config import image_data_format
from ..layer import Layer


class Flatten(Layer):
    """Flattens all but the batch axis. With data_format='channels_first' the channels axis
    is moved last first, so the order matches a channels_last model (as Keras does)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or image_data_format()

    def call(self, inputs):
        if self.data_format == "channels_first" and len(inputs.shape) > 2:
            rank = len(inputs.shape)
            inputs = ops.transpose(inputs, [0] + list(range(2, rank)) + [1])
        return ops.reshape(inputs, (None, int(np.prod(inputs.shape[1:]))))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
