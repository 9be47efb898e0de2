"""Activation functions by name (Keras's `activation=` strings), built on horn.ops."""

from . import ops
from .registry import Registry

_registry = Registry("activation")
register = _registry.register


@register("linear")
def linear(x):
    return x


@register("relu")
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)
    y = ops.where(ops.greater(x, threshold), x, ops.multiply(ops.subtract(x, threshold), negative_slope))
    return y if max_value is None else ops.minimum(y, max_value)


@register("softmax")
def softmax(x, axis=-1):
    if len(x.shape) <= 1:
        raise ValueError(f"softmax needs an input of rank >= 2, got shape {tuple(x.shape)}")
    return ops.softmax(x, axis=axis)


@register("log_softmax")
def log_softmax(x, axis=-1):
    return ops.log_softmax(x, axis=axis)


@register("sigmoid")
def sigmoid(x):
    return ops.sigmoid(x)


@register("tanh")
def tanh(x):
    return ops.tanh(x)


@register("elu")
def elu(x, alpha=1.0):
    return ops.elu(x, alpha)


@register("selu")
def selu(x):
    return ops.selu(x)


@register("softplus")
def softplus(x):
    return ops.softplus(x)


@register("softsign")
def softsign(x):
    return ops.softsign(x)


@register("exponential")
def exponential(x):
    return ops.exp(x)


@register("hard_sigmoid")
def hard_sigmoid(x):
    """Keras 3's hard sigmoid relu6(x + 3) / 6 (Keras 2's was clip(0.2x + 0.5, 0, 1))."""
    return ops.hard_sigmoid(x)


@register("leaky_relu")
def leaky_relu(x, negative_slope=0.2):
    return ops.leaky_relu(x, negative_slope)


@register("relu6")
def relu6(x):
    return ops.relu6(x)


@register("gelu")
def gelu(x, approximate=False):
    return ops.gelu(x, approximate)


@register("silu", "swish")
def silu(x):
    return ops.silu(x)


@register("hard_sigmoid_keras2")
def hard_sigmoid_keras2(x):
    """Keras 2's hard sigmoid clip(0.2x + 0.5, 0, 1) (ONNX HardSigmoid's defaults). Keras 2
    saved it as 'hard_sigmoid' (the default recurrent_activation of 2.2's LSTM/GRU and of
    ConvLSTM2D); loaders of Keras 2 files map it to this name, since 'hard_sigmoid' is Keras 3's."""
    return ops.hard_sigmoid_keras2(x)



def get(identifier):
    """None -> linear; a name -> that function; a callable -> itself."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return _registry.lookup(identifier)
    if isinstance(identifier, dict):
        return _registry.lookup(identifier.get("config", identifier.get("class_name")))
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation identifier: {identifier!r}")


def serialize(fn):
    for name, f in _registry.entries.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", str(fn))
