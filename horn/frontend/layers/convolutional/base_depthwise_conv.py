"""BaseDepthwiseConv: what DepthwiseConv1D and DepthwiseConv2D share."""

from ... import activations, constraints, initializers, ops, regularizers
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format, to_channels_first
from . import conv_utils as cu


class BaseDepthwiseConv(Layer):
    """Depthwise convolution: each input channel is convolved with its own depth_multiplier
    filters (a grouped ONNX Conv with group = in_channels).

    Args:
        rank: number of spatial axes (1 or 2; set by the subclass).
        kernel_size, strides, dilation_rate: int or tuple of `rank` ints.
        padding: 'valid' or 'same' (and 'causal' for rank 1).
        depth_multiplier: output channels per input channel.
        data_format, activation, use_bias, depthwise_initializer, bias_initializer,
        depthwise_regularizer, bias_regularizer, activity_regularizer, depthwise_constraint,
        bias_constraint: as in Keras.

    Weights: depthwise_kernel `kernel_size + (in_channels, depth_multiplier)`, bias
    `(in_channels * depth_multiplier,)`; output channel c * depth_multiplier + m comes from
    input channel c.
    """

    def __init__(self, rank, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        who = type(self).__name__
        cu.drop_tf_keras_extras(kwargs, who)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.depth_multiplier = cu.positive_int(depth_multiplier, "depth_multiplier", who)
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", who)
        self.strides = cu.standardize_tuple(strides, rank, "strides", who)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", who)
        self.padding = cu.standardize_padding(padding, who, allow_causal=rank == 1)
        self.data_format = normalize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = cu.get_regularizer(depthwise_regularizer)
        self.bias_regularizer = cu.get_regularizer(bias_regularizer)
        self.depthwise_constraint, self.bias_constraint = depthwise_constraint, bias_constraint
        self.input_spec = InputSpec(ndim=rank + 2)

    def build(self, input_shape):
        axis, channels = cu.channels_of(self, input_shape)
        self.compute_output_shape(input_shape)  # a kernel larger than the input fails here, by name
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.bias = self.add_weight(name="bias", shape=(channels * self.depth_multiplier,),
                                    initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})

    def call(self, inputs):
        y = ops.depthwise_conv(to_channels_first(inputs, self.data_format), self.depthwise_kernel, self.strides,
                               self.padding, "channels_first", self.dilation_rate, bias=self.bias)
        return cu.activate_and_restore(self, y)

    def compute_output_shape(self, input_shape):
        sizes = cu.conv_output_sizes(self, input_shape)
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        out = None if channels is None else channels * self.depth_multiplier
        return cu.with_channels(input_shape[0], sizes, out, self.data_format)

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "depth_multiplier": self.depth_multiplier,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
