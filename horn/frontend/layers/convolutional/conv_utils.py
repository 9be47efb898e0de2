"""Argument checks, output-size formulas and serialization shared by the convolutional layers."""

import numbers

from ... import activations, regularizers
from ..layout import from_channels_first

# Activations that act elementwise can run before the transpose back to channels_last, right
# after the Conv, where onnxruntime fuses them into it; the others (softmax over the last axis,
# user functions) see the layer's own layout.
_ELEMENTWISE = {"linear", "relu", "sigmoid", "tanh", "elu", "selu", "softplus", "softsign", "exponential",
                "hard_sigmoid", "leaky_relu", "relu6", "gelu", "silu", "swish"}


def positive_int(value, name, who):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{who}: `{name}` must be a positive integer, got {name}={value!r}")
    return int(value)


def standardize_tuple(value, n, name, who, allow_zero=False):
    """An int or a sequence of n ints -> a tuple of n ints, each > 0 (or >= 0 if allow_zero)."""
    values = (value,) * n if isinstance(value, numbers.Integral) and not isinstance(value, bool) else value
    try:
        values = tuple(values)
    except TypeError:
        values = None
    if values is None or len(values) != n or any(
            not isinstance(v, numbers.Integral) or isinstance(v, bool) for v in values):
        raise ValueError(f"{who}: `{name}` must be an integer or a tuple of {n} integers, got {name}={value!r}")
    bad = [v for v in values if v < 0 or (v == 0 and not allow_zero)]
    if bad:
        need = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{who}: every entry of `{name}` must be {need}, got {name}={value!r}")
    return tuple(int(v) for v in values)


def standardize_padding(value, who, allow_causal):
    padding = value.lower() if isinstance(value, str) else value
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    if padding not in allowed:
        raise ValueError(f"{who}: `padding` must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return padding


def drop_tf_keras_extras(kwargs, who, extra=()):
    """tf.keras 2 configs of these layers carry keys inherited from its Conv class ('groups': 1,
    and for separable convolutions the unused kernel_* entries): accept them."""
    groups = kwargs.pop("groups", 1)
    if groups not in (None, 1):
        raise ValueError(f"{who} does not take `groups`, got groups={groups!r}")
    for key in extra:
        kwargs.pop(key, None)


def conv_output_length(n, kernel, padding, stride, dilation, who, input_shape):
    """Keras's conv output size: valid floor((n - k) / s) + 1, same/causal ceil(n / s), with
    the kernel dilated to k = (kernel - 1) * dilation + 1."""
    if n is None:
        return None
    eff = (kernel - 1) * dilation + 1
    if padding == "valid":
        if n < eff:
            raise ValueError(f"{who}: the kernel ({kernel} with dilation {dilation}, spanning {eff}) is larger "
                             f"than the input ({n}) with padding='valid'; input shape {tuple(input_shape)}")
        return (n - eff) // stride + 1
    return (n - 1) // stride + 1


def deconv_output_length(n, kernel, padding, output_padding, stride, dilation):
    """Keras's transposed-conv output size (see ops.conv_transpose_padding)."""
    if n is None:
        return None
    eff = (kernel - 1) * dilation + 1
    if output_padding is None:
        return (n - 1) * stride + max(eff, stride) if padding == "valid" else n * stride
    return (n - 1) * stride + (eff if padding == "valid" else eff % 2) + output_padding


def spatial(shape, data_format):
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def with_channels(batch, sizes, channels, data_format):
    if data_format == "channels_last":
        return (batch, *sizes, channels)
    return (batch, channels, *sizes)


def channels_of(layer, input_shape):
    axis = -1 if layer.data_format == "channels_last" else 1
    channels = input_shape[axis]
    if channels is None:
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) needs the channel axis of its input "
                         f"to be known ({layer.data_format}), got input shape {tuple(input_shape)}")
    return axis, int(channels)


def activate_and_restore(layer, y):
    """Apply the layer's activation and go back from channels-first to the layer's layout."""
    if activations.serialize(layer.activation) in _ELEMENTWISE:
        return from_channels_first(layer.activation(y), layer.data_format)
    return layer.activation(from_channels_first(y, layer.data_format))


def get_regularizer(identifier):
    return regularizers.get(identifier)


def conv_output_sizes(layer, input_shape):
    """The spatial output sizes of a (non-transposed) conv layer, with errors naming the layer."""
    who = f"Layer '{layer.name}' ({type(layer).__name__})"
    return [conv_output_length(n, k, layer.padding, s, d, who, input_shape) for n, k, s, d in
            zip(spatial(input_shape, layer.data_format), layer.kernel_size, layer.strides, layer.dilation_rate)]
