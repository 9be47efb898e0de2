"""Conv3D: a 3-D convolution."""

from .base_conv import BaseConv


class Conv3D(BaseConv):
    """3-D convolution layer.

    Args: as BaseConv (filters, kernel_size, strides, padding: 'valid' or 'same', data_format,
    dilation_rate, groups, activation, use_bias, initializers, regularizers, constraints).

    Shapes (channels_last): (batch, d1, d2, d3, channels) -> (batch, n1, n2, n3, filters).

    Example: `Conv3D(8, 3, input_shape=(16, 16, 16, 1))`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
