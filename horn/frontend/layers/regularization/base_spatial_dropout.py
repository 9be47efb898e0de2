"""BaseSpatialDropout: what SpatialDropout1D/2D/3D share."""

import numbers

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format


class BaseSpatialDropout(Layer):
    """Drops whole channels while training: one keep/drop draw per (sample, channel), shared
    by every spatial position, the kept channels scaled by 1 / (1 - rate); the identity at
    inference.

    Args:
        rank: number of spatial axes (set by the subclass).
        rate: fraction of the channels to drop, in [0, 1).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
        seed: makes the sequence of masks reproducible.
    """

    def __init__(self, rank, rate, data_format=None, seed=None, noise_shape=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        if noise_shape is not None:  # tf.keras configs carry Dropout's noise_shape: None
            raise ValueError(f"{who} sets its own noise shape (one draw per sample and channel), "
                             f"got noise_shape={noise_shape!r}")
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
            raise TypeError(f"{who}(rate=...) must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"{who}(rate=...) must be in [0, 1), got {rate!r}")
        self.rank = rank
        self.rate, self.seed = float(rate), seed
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)
        self.supports_masking = True

    def noise_shape(self, input_shape):
        """(batch, 1, ..., 1, channels) in the layer's layout: one draw per sample and channel."""
        channel = len(input_shape) - 1 if self.data_format == "channels_last" else 1
        return [d if i in (0, channel) else 1 for i, d in enumerate(input_shape)]

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = self.noise_shape(inputs.shape)
        one_per_channel = ops.slice(inputs, [0] * len(shape), [-1 if d is None else d for d in shape])
        return ops.multiply(inputs, ops.dropout_mask(one_per_channel, self.rate, seed=self.seed))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "data_format": self.data_format}
