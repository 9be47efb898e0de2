"""Conv3DTranspose: a 3-D transposed convolution."""

from .base_conv_transpose import BaseConvTranspose


class Conv3DTranspose(BaseConvTranspose):
    """3-D transposed convolution layer ("deconvolution").

    Args: as BaseConvTranspose (filters, kernel_size, strides, padding 'valid' or 'same',
    output_padding, data_format, dilation_rate, activation, use_bias, initializers,
    regularizers, constraints).

    Shapes (channels_last): (batch, d1, d2, d3, channels) -> (batch, n1, n2, n3, filters).

    Example: `Conv3DTranspose(8, 2, strides=2)`.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)
