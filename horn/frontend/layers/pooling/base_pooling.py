"""BasePooling: what MaxPooling1D/2D/3D and AveragePooling1D/2D/3D share."""

from ... import ops
from ..convolutional import conv_utils as cu
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format


def pooled_length(n, pool, stride, padding, who, axis, input_shape):
    """Keras's pooled size: 'valid' floor((n - pool) / stride) + 1, 'same' ceil(n / stride)."""
    if n is None:
        return None
    if padding == "same":
        return (n - 1) // stride + 1
    if n < pool:
        raise ValueError(f"{who} cannot pool spatial axis {axis} of size {n} with pool_size {pool} and "
                         f"padding='valid' (input shape {tuple(input_shape)}): the window is larger than the "
                         f"input. Use padding='same' or a pool_size of at most {n}.")
    return (n - pool) // stride + 1


class BasePooling(Layer):
    """An N-D max or average pooling layer (the subclass sets `rank` and `_pool`).

    Args:
        pool_size: int or tuple of `rank` ints: the window.
        strides: int or tuple of `rank` ints; None (default) means pool_size.
        padding: 'valid' (windows inside the input) or 'same' (output ceil(n / strides), padded
            as TensorFlow pads: the odd cell at the end; padding never enters a max or an average).
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
    """

    _pool = None  # ops.max_pool or ops.average_pool

    def __init__(self, rank, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.rank = rank
        self.pool_size = cu.standardize_tuple(pool_size, rank, "pool_size", who)
        self.strides = self.pool_size if strides is None else cu.standardize_tuple(strides, rank, "strides", who)
        self.padding = cu.standardize_padding(padding, who, allow_causal=False)
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # a window larger than the input fails here, by name
        return self._pool(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        who = f"Layer '{self.name}' ({type(self).__name__})"
        sizes = [pooled_length(n, k, s, self.padding, who, i, input_shape) for i, (n, k, s) in
                 enumerate(zip(cu.spatial(input_shape, self.data_format), self.pool_size, self.strides))]
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        return cu.with_channels(input_shape[0], sizes, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


def max_pool(inputs, pool_size, strides, padding, data_format):
    return ops.max_pool(inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides, padding, data_format):
    return ops.average_pool(inputs, pool_size, strides, padding, data_format)
