"""BaseConv: what Conv1D, Conv2D and Conv3D share (Keras's arguments, weights and formulas)."""

from ... import activations, constraints, initializers, ops, regularizers
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format, to_channels_first
from . import conv_utils as cu


class BaseConv(Layer):
    """An N-D convolution layer: activation(conv(inputs, kernel) + bias).

    Args:
        rank: number of spatial axes (1, 2 or 3; set by the subclass).
        filters: number of output channels.
        kernel_size: int or tuple of `rank` ints.
        strides, dilation_rate: int or tuple of `rank` ints (default 1).
        padding: 'valid', 'same' (TensorFlow's: the odd pad at the end) or, for rank 1, 'causal'.
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
        groups: split the input channels into this many groups, each convolved with
            filters // groups filters.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as in Keras.

    Weights: kernel `kernel_size + (in_channels // groups, filters)`, bias `(filters,)`.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = type(self).__name__
        self.rank = rank
        self.filters = cu.positive_int(filters, "filters", who)
        self.groups = cu.positive_int(groups, "groups", who)
        if self.filters % self.groups:
            raise ValueError(f"{who}: `filters` must be divisible by `groups`, got filters={filters}, "
                             f"groups={groups}")
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", who)
        self.strides = cu.standardize_tuple(strides, rank, "strides", who)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", who)
        self.padding = cu.standardize_padding(padding, who, allow_causal=rank == 1)
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
        if channels % self.groups:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) needs its {channels} input channels "
                             f"to be divisible by groups={self.groups}; got input shape {tuple(input_shape)}")
        self.compute_output_shape(input_shape)  # a kernel larger than the input fails here, by name
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels // self.groups, self.filters),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: channels})

    def call(self, inputs):
        y = ops.conv(to_channels_first(inputs, self.data_format), self.kernel, self.strides, self.padding,
                     "channels_first", self.dilation_rate, bias=self.bias)
        return cu.activate_and_restore(self, y)

    def compute_output_shape(self, input_shape):
        sizes = cu.conv_output_sizes(self, input_shape)
        return cu.with_channels(input_shape[0], sizes, self.filters, self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}
