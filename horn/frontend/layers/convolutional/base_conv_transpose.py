"""BaseConvTranspose: what Conv1DTranspose, Conv2DTranspose and Conv3DTranspose share."""

from ... import activations, constraints, initializers, ops, regularizers
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format, to_channels_first
from . import conv_utils as cu


class BaseConvTranspose(Layer):
    """An N-D transposed convolution ("deconvolution"): the input gradient of a convolution,
    which grows the spatial sizes by the strides.

    Args:
        rank: number of spatial axes (1, 2 or 3; set by the subclass).
        filters: number of output channels.
        kernel_size, strides, dilation_rate: int or tuple of `rank` ints.
        padding: 'valid' (output (i - 1) * s + max(k, s)) or 'same' (output i * s).
        output_padding: None, or an int or tuple of `rank` ints smaller than the strides: the
            output size is then exactly (i - 1) * s + k + output_padding ('valid') or
            (i - 1) * s + k % 2 + output_padding ('same'), with k the dilated kernel size.
        data_format, activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: as in Keras.

    Weights: kernel `kernel_size + (filters, in_channels)`, bias `(filters,)`.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        who = type(self).__name__
        cu.drop_tf_keras_extras(kwargs, who)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.filters = cu.positive_int(filters, "filters", who)
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", who)
        self.strides = cu.standardize_tuple(strides, rank, "strides", who)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", who)
        self.padding = cu.standardize_padding(padding, who, allow_causal=False)
        self.output_padding = None if output_padding is None else \
            cu.standardize_tuple(output_padding, rank, "output_padding", who, allow_zero=True)
        if self.output_padding is not None and any(p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"{who}: `strides` must be greater than `output_padding` on every axis, got "
                             f"strides={self.strides}, output_padding={self.output_padding}")
        self.data_format = normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = cu.get_regularizer(kernel_regularizer)
        self.bias_regularizer = cu.get_regularizer(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        axis, channels = cu.channels_of(self, input_shape)
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})

    def call(self, inputs):
        y = ops.conv_transpose(to_channels_first(inputs, self.data_format), self.kernel, self.strides,
                               self.padding, self.output_padding, "channels_first", self.dilation_rate,
                               bias=self.bias)
        return cu.activate_and_restore(self, y)

    def compute_output_shape(self, input_shape):
        pads = self.output_padding or (None,) * self.rank
        sizes = [cu.deconv_output_length(n, k, self.padding, p, s, d) for n, k, p, s, d in
                 zip(cu.spatial(input_shape, self.data_format), self.kernel_size, pads, self.strides,
                     self.dilation_rate)]
        return cu.with_channels(input_shape[0], sizes, self.filters, self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "output_padding": self.output_padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
