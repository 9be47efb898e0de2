"""Activation functions by name (Keras's `activation=` strings), built on horn.ops."""

import numpy as np

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


@register("mish")
def mish(x):
    """x * tanh(softplus(x))."""
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


@register("celu")
def celu(x, alpha=1.0):
    """x for x >= 0, alpha * (exp(x / alpha) - 1) below."""
    below = ops.multiply(ops.subtract(ops.exp(ops.divide(ops.minimum(x, 0.0), alpha)), 1.0), alpha)
    return ops.where(ops.greater_equal(x, 0.0), x, below)


@register("glu")
def glu(x, axis=-1):
    """a * sigmoid(b), x split into halves a and b along `axis`."""
    a, b = ops.split(x, 2, axis=axis)
    return ops.multiply(a, ops.sigmoid(b))


@register("hard_silu", "hard_swish")
def hard_silu(x):
    """x * hard_sigmoid(x) (Keras 3's hard sigmoid)."""
    return ops.multiply(x, ops.hard_sigmoid(x))


@register("hard_tanh")
def hard_tanh(x):
    return ops.clip(x, -1.0, 1.0)


@register("hard_shrink")
def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return ops.where(ops.greater(ops.abs(x), threshold), x, _constant(0.0, x))


@register("soft_shrink")
def soft_shrink(x, threshold=0.5):
    """x - threshold above threshold, x + threshold below -threshold, 0 between."""
    shrunk = ops.subtract(x, ops.multiply(ops.sign(x), threshold))
    return ops.where(ops.greater(ops.abs(x), threshold), shrunk, _constant(0.0, x))


@register("tanh_shrink")
def tanh_shrink(x):
    return ops.subtract(x, ops.tanh(x))


@register("log_sigmoid")
def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return ops.negative(ops.softplus(ops.negative(x)))


@register("squareplus")
def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2."""
    return ops.multiply(ops.add(x, ops.sqrt(ops.add(ops.square(x), float(b)))), 0.5)


@register("sparse_plus")
def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 between, x for x >= 1."""
    middle = ops.multiply(ops.square(ops.add(ops.clip(x, -1.0, 1.0), 1.0)), 0.25)
    return ops.where(ops.greater_equal(x, 1.0), x, middle)


@register("sparse_sigmoid")
def sparse_sigmoid(x):
    """(x + 1) / 2 clipped to [0, 1]."""
    return ops.clip(ops.multiply(ops.add(x, 1.0), 0.5), 0.0, 1.0)


@register("threshold")
def threshold(x, threshold, default_value):
    """x where x > threshold, else default_value."""
    return ops.where(ops.greater(x, threshold), x, _constant(default_value, x))


def _constant(value, like):
    return np.asarray(value, np.dtype(like.dtype))


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
