"""Keras 2's `K.*` functions (`from keras import backend as K`) over horn.ops.

Each takes Keras 2's argument names and defaults, and works on numpy arrays (computed at
once), on horn variables, and on the traced tensors of a custom layer's `call()` or a Lambda.
"""

import builtins

import numpy as np

from . import naming, ops
from .config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format

# -- one-to-one with horn.ops -------------------------------------------------------------
exp, log, sqrt, square, abs, sign = ops.exp, ops.log, ops.sqrt, ops.square, ops.abs, ops.sign  # noqa: A001
sigmoid, tanh, softplus, softsign, elu = ops.sigmoid, ops.tanh, ops.softplus, ops.softsign, ops.elu
maximum, minimum, cast, transpose = ops.maximum, ops.minimum, ops.cast, ops.transpose
equal, not_equal, greater, greater_equal = ops.equal, ops.not_equal, ops.greater, ops.greater_equal
less, less_equal, argmax, argmin = ops.less, ops.less_equal, ops.argmax, ops.argmin
max, min = ops.max, ops.min  # noqa: A001
hard_sigmoid = ops.hard_sigmoid_keras2  # Keras 2's clip(0.2 x + 0.5, 0, 1), not Keras 3's
one_hot, arange = ops.one_hot, ops.arange


def _is_tensor(x):
    from .layers.keras_tensor import KerasTensor

    return ops.is_traced(x) or getattr(x, "_horn_variable", False) or isinstance(x, KerasTensor)


def _tensor(x, dtype=None):
    """x as it is if it is a tensor or an array, else a numpy array (floatx for Python floats)."""
    if _is_tensor(x) or isinstance(x, np.ndarray):
        return x
    if dtype is None and isinstance(x, float):
        dtype = floatx()
    return np.asarray(x, dtype)


def _floats(x):
    """Booleans become floatx, as Keras 2's sum/mean/var do; other dtypes stay."""
    x = _tensor(x)
    return ops.cast(x, floatx()) if np.dtype(x.dtype) == np.bool_ else x


def _axis_list(x, axis, who):
    rank = len(x.shape)
    axes = range(rank) if axis is None else [axis] if isinstance(axis, (int, np.integer)) else axis
    out = []
    for a in axes:
        if not -rank <= int(a) < builtins.max(rank, 1):
            raise ValueError(f"{who}() got axis={axis!r} for an input of rank {rank}")
        out.append(int(a) % builtins.max(rank, 1))
    return sorted(set(out))


# -- shapes ---------------------------------------------------------------------------------
def shape(x):
    """The shape of x as a tuple: ints where known while tracing, and an int64 scalar tensor
    for each dynamic axis, so that `K.shape(x)[0]` is the batch size at run time.

    Example: inside `call()`, `K.random_normal((K.shape(x)[0], 2))` draws a (batch, 2) tensor.
    """
    x = _tensor(x)
    dims = tuple(x.shape)
    if None not in dims:
        return tuple(int(d) for d in dims)
    full = ops.dynamic_shape(x)
    return tuple(ops.take(full, i, axis=0) if d is None else int(d) for i, d in enumerate(dims))


def int_shape(x):
    """The static shape as a tuple of ints (None for dynamic axes)."""
    return tuple(getattr(x, "shape", np.shape(x)))


def ndim(x):
    return len(int_shape(x))


def dtype(x):
    """The dtype's name, as a string ('float32')."""
    return np.dtype(_tensor(x).dtype).name


def count_params(x):
    """The number of scalars in x (a variable or an array with a static shape)."""
    dims = int_shape(x)
    if None in dims:
        raise ValueError(f"count_params() needs a static shape, got {dims}")
    return int(np.prod(dims, dtype=np.int64))


def _dim_vector(d, who):
    """A traced scalar size d as the (1,) int64 vector [d] that Reshape can take: the Shape of a
    Range of length d, whose hint tells shape inference it holds one unknown dim."""
    from .layers.keras_tensor import KerasTensor

    if isinstance(d, KerasTensor):
        raise TypeError(f"{who}() got a symbolic size from the functional API ({d}); compute it inside a "
                        "Lambda layer or a custom layer's call(), where K.shape(x)[0] is a traced scalar")
    if len(d.shape) != 0:
        raise ValueError(f"{who}() needs each entry of the shape to be an int or a scalar tensor, got a "
                         f"tensor of shape {tuple(d.shape)}")
    return ops.dynamic_shape(ops.arange(ops.cast(d, "int64")))


def _shape_entries(shape, who):
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    if ops.is_traced(shape):
        raise TypeError(f"{who}() takes the shape as a tuple of ints and scalar tensors (K.shape(x)[i]), "
                        f"got a tensor of shape {tuple(shape.shape)}")
    try:
        entries = list(shape)
    except TypeError:
        raise TypeError(f"{who}() needs a shape (a tuple of ints), got {shape!r}") from None
    out = []
    for d in entries:
        if _is_tensor(d):
            out.append(d)
        elif d is None or isinstance(d, (float, bool)) or not np.issubdtype(np.asarray(d).dtype, np.integer):
            raise ValueError(f"{who}() needs a shape of ints (or scalar tensors), got {tuple(entries)!r}")
        else:
            out.append(int(d))
    return out


def reshape(x, shape):
    """x with a new shape; entries may be -1 (inferred) or traced scalars such as K.shape(y)[0]."""
    entries = _shape_entries(shape, "reshape")
    if not any(_is_tensor(d) for d in entries):
        return ops.reshape(x, entries)
    parts = [_dim_vector(d, "reshape") if _is_tensor(d) else np.array([d], np.int64) for d in entries]
    return ops.reshape(x, ops.concatenate(parts, axis=0))


def _filled(shape, value, dtype, who):
    """A tensor of `shape` (ints and traced scalars) filled with `value`."""
    entries = _shape_entries(shape, who)
    static = tuple(1 if _is_tensor(d) else d for d in entries)
    out = np.full(static, value, np.dtype(dtype))
    for i, d in enumerate(entries):
        if _is_tensor(d):  # a dynamic size: broadcast against zeros as long as arange(d)
            along = [1] * len(entries)
            along[i] = -1
            out = ops.add(out, ops.reshape(ops.zeros_like(ops.arange(ops.cast(d, "int64")), dtype), along))
    return out


def flatten(x):
    """x as a vector."""
    return ops.reshape(x, (-1,))


def batch_flatten(x):
    """(batch, ...) -> (batch, product of the rest)."""
    rest = int_shape(x)[1:]
    if None in rest:
        raise ValueError(f"batch_flatten() needs static sizes after the batch axis, got shape {int_shape(x)}")
    return ops.reshape(x, (None, int(np.prod(rest, dtype=np.int64))))


def expand_dims(x, axis=-1):
    return ops.expand_dims(x, axis)


def squeeze(x, axis):
    return ops.squeeze(x, axis)


def permute_dimensions(x, pattern):
    return ops.transpose(x, pattern)


def concatenate(tensors, axis=-1):
    """Join tensors along `axis` (Keras 2's default: the last one)."""
    return ops.concatenate(list(tensors), axis=axis)


def stack(x, axis=0):
    """Stack a list of same-shaped tensors along a new axis."""
    return ops.stack(list(x), axis=axis)


def gather(reference, indices):
    """reference[indices] along axis 0."""
    return ops.take(reference, indices, axis=0)


def repeat_elements(x, rep, axis):
    """Repeat each entry of x `rep` times along `axis` (np.repeat)."""
    x = _tensor(x)
    a = _axis_list(x, axis, "repeat_elements")[0]
    if x.shape[a] is None:
        raise ValueError(f"repeat_elements() needs a static size along axis {axis}, got shape {int_shape(x)}")
    return ops.repeat(x, int(rep), a)


def repeat(x, n):
    """(batch, dim) -> (batch, n, dim)."""
    if ndim(x) != 2:
        raise ValueError(f"repeat() takes a 2-D tensor (batch, dim), got shape {int_shape(x)}")
    return ops.repeat(ops.expand_dims(x, 1), int(n), 1)


def reverse(x, axes):
    return ops.flip(x, axes)


# -- tensors, constants and random numbers --------------------------------------------------
def constant(value, dtype=None, shape=None, name=None):
    """A constant array (floatx unless `dtype`); a scalar `value` with `shape` fills it."""
    value = np.asarray(value, dtype or floatx())
    if shape is None:
        return value
    shape = tuple(int(d) for d in shape)
    if value.size == 1:
        return np.full(shape, value.reshape(()), value.dtype)
    if value.size != int(np.prod(shape, dtype=np.int64)):
        raise ValueError(f"constant() got {value.size} values for shape {shape}")
    return value.reshape(shape)


def zeros(shape, dtype=None, name=None):
    """An array of zeros (floatx unless `dtype`)."""
    return _filled(shape, 0, dtype or floatx(), "zeros")


def ones(shape, dtype=None, name=None):
    """An array of ones (floatx unless `dtype`)."""
    return _filled(shape, 1, dtype or floatx(), "ones")


def zeros_like(x, dtype=None, name=None):
    return ops.zeros_like(_tensor(x), dtype)


def ones_like(x, dtype=None, name=None):
    return ops.ones_like(_tensor(x), dtype)


def cast_to_floatx(x):
    """x as a numpy array of floatx."""
    return np.asarray(x, floatx())


def variable(value, dtype=None, name=None, constraint=None):
    """A horn Variable holding `value` (floatx unless `dtype`); read it with get_value."""
    from .variables import Variable

    value = np.asarray(value, dtype or floatx())
    return Variable(value, name or naming.unique_name("variable"), constraint=constraint)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normally distributed numbers of `shape`, whose entries may be traced scalars.

    Example (a VAE's sampling): `K.random_normal(shape=(K.shape(z_mean)[0], latent_dim))`.
    """
    if stddev < 0:
        raise ValueError(f"random_normal() needs stddev >= 0, got stddev={stddev}")
    dtype = dtype or floatx()
    return ops.normal_like(_filled(shape, 0, dtype, "random_normal"), mean, stddev, dtype=dtype, seed=seed)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Numbers uniform in [minval, maxval) of `shape`, whose entries may be traced scalars."""
    if maxval < minval:
        raise ValueError(f"random_uniform() needs minval <= maxval, got minval={minval}, maxval={maxval}")
    dtype = dtype or floatx()
    return ops.uniform_like(_filled(shape, 0, dtype, "random_uniform"), minval, maxval, dtype=dtype, seed=seed)


# -- variables' values ----------------------------------------------------------------------
class OptimizerLearningRate(float):
    """An optimizer's float learning rate that remembers its optimizer, so that Keras 2's
    `K.set_value(model.optimizer.lr, 0.001)` can set it (Optimizer.lr returns one)."""

    def __new__(cls, optimizer):
        rate = float.__new__(cls, float(optimizer.learning_rate))
        rate.optimizer = optimizer
        return rate


def get_value(x):
    """The value of a variable (or an optimizer's learning rate) as numpy."""
    if isinstance(x, OptimizerLearningRate):
        return float(x.optimizer.learning_rate)
    if getattr(x, "_horn_variable", False):
        return np.array(x.numpy())
    if _is_tensor(x):
        raise TypeError(f"get_value() needs a variable or an array, got the traced tensor {x!r}, whose value "
                        "is only known when the model runs")
    if isinstance(x, (float, int, np.number)):
        return x
    return np.asarray(x)


def set_value(x, value):
    """Write `value` into a variable (or an optimizer's learning rate, `model.optimizer.lr`)."""
    if isinstance(x, OptimizerLearningRate):
        if not isinstance(value, (float, int, np.number, np.ndarray)) or np.ndim(value):
            raise TypeError(f"set_value() sets a learning rate to a number, got {value!r}")
        x.optimizer.learning_rate = float(value)
        return
    if getattr(x, "_horn_variable", False):
        x.assign(np.asarray(value, x.dtype))
        return
    hint = (" For an optimizer's learning rate, set `optimizer.learning_rate = value`."
            if isinstance(x, (float, int, np.number)) else "")
    raise TypeError(f"set_value() needs a variable (K.variable, a layer weight), got {type(x).__name__} "
                    f"{x!r}, which cannot be changed in place.{hint}")


def eval(x):  # noqa: A001
    """The value of a variable or a constant, as numpy."""
    return get_value(x)


def learning_phase():
    """0: horn runs training and inference as separate programs, not by a phase flag."""
    return 0


def is_keras_tensor(x):
    """Whether x is a symbolic tensor of the functional API (keras.Input and layer outputs)."""
    from .layers.keras_tensor import KerasTensor

    if not _is_tensor(x):
        raise ValueError(f"is_keras_tensor() expects a symbolic tensor, got an instance of {type(x).__name__}")
    return isinstance(x, KerasTensor)


def is_tensor(x):
    return _is_tensor(x)


# -- math -----------------------------------------------------------------------------------
def dot(x, y):
    """np.dot: x's last axis against y's second-to-last (matmul when y is 1-D or 2-D)."""
    x, y = _tensor(x), _tensor(y)
    if len(y.shape) <= 2:
        return ops.matmul(x, y)
    ys = int_shape(y)
    if None in ys:
        raise ValueError(f"dot() needs a static shape for an N-D y, got {ys}")
    n = len(ys)
    folded = ops.reshape(ops.transpose(y, [n - 2, *range(n - 2), n - 1]), (ys[-2], -1))
    out = ops.matmul(x, folded)  # (..., prod(y's leading axes) * y's last)
    return ops.reshape(out, (*[None] * (len(x.shape) - 1), *ys[:-2], ys[-1]))


def batch_dot(x, y, axes=None):
    """For each sample b, the dot product of x[b] and y[b] over `axes` (Keras 2.3's rule).

    Args:
        axes: an int (the same axis of both) or (axis of x, axis of y); None: x's last axis and
            y's last (y 2-D) or second-to-last.
    Returns x's shape without the summed axis, then y's without the batch and summed axes;
    (batch, 1) when that leaves one axis. Example: (32, 20, 1) . (32, 30, 20), axes=(1, 2) ->
    (32, 1, 30).
    """
    x, y = _tensor(x), _tensor(y)
    xn, yn = len(x.shape), len(y.shape)
    if xn < 2 or yn < 2:
        raise ValueError(f"batch_dot() needs inputs of rank >= 2, got shapes {int_shape(x)} and {int_shape(y)}")
    if axes is None:
        axes = (xn - 1, yn - 1 if yn == 2 else yn - 2)
    elif isinstance(axes, (int, np.integer)):
        axes = (axes, axes)
    if len(axes) != 2 or not all(isinstance(a, (int, np.integer)) for a in axes):
        raise ValueError(f"batch_dot() takes axes as an int or a pair of ints, got {axes!r}")
    ax, ay = int(axes[0]) % xn, int(axes[1]) % yn
    if ax == 0 or ay == 0:
        raise ValueError(f"batch_dot() cannot sum over the batch axis 0, got axes={axes!r}")
    kx, ky = x.shape[ax], y.shape[ay]
    if kx is not None and ky is not None and kx != ky:
        raise ValueError(f"batch_dot() needs equal sizes along the summed axes, got x {int_shape(x)} axis {ax} "
                         f"and y {int_shape(y)} axis {ay}")
    rest_x = [x.shape[i] for i in range(1, xn) if i != ax]
    rest_y = [y.shape[i] for i in range(1, yn) if i != ay]
    if None in rest_x + rest_y:
        raise ValueError(f"batch_dot() needs static sizes off the batch axis, got {int_shape(x)} and {int_shape(y)}")
    k = kx if kx is not None else ky if ky is not None else -1
    xs = ops.transpose(x, [i for i in range(xn) if i != ax] + [ax]) if ax != xn - 1 else x
    ys = ops.transpose(y, [0, ay] + [i for i in range(1, yn) if i != ay]) if ay != 1 else y
    p, q = int(np.prod(rest_x, dtype=np.int64)), int(np.prod(rest_y, dtype=np.int64))
    out = ops.matmul(ops.reshape(xs, (None, p, k)), ops.reshape(ys, (None, k, q)))  # (batch, p, q)
    return ops.reshape(out, (None, *rest_x, *rest_y) if rest_x or rest_y else (None, 1))


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return ops.sum(_floats(x), axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return ops.mean(_floats(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """The variance (divided by n) over `axis`."""
    x = _floats(x)
    centred = ops.subtract(x, ops.mean(x, axis=axis, keepdims=True))
    return ops.mean(ops.square(centred), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation (divided by n) over `axis`."""
    return ops.sqrt(var(x, axis=axis, keepdims=keepdims))


def _fold(x, a, combine, identity, who):
    """Reduce axis `a` of x with `combine`, keeping it (size 1): halves are combined pairwise
    where the size is static; an ONNX Scan runs along a dynamic axis, from `identity`."""
    n = x.shape[a]
    if n is None:
        rank = len(x.shape)
        perm = [a] + [i for i in range(rank) if i != a]
        first = ops.transpose(x, perm) if a else x
        init = ops.add(ops.zeros_like(ops.take(first, 0, axis=0)), identity)
        total, _ = ops.scan(lambda c, v: (combine(c, v), None), init, first)
        total = ops.expand_dims(total, 0)
        return ops.transpose(total, [perm.index(i) for i in range(rank)]) if a else total
    if n == 0:
        raise ValueError(f"{who}() cannot reduce an empty axis {a} of shape {int_shape(x)}")
    while n > 1:
        h = n // 2
        starts, size = [0] * len(x.shape), [-1] * len(x.shape)
        size[a] = h
        left = ops.slice(x, starts, size)
        starts[a] = h
        right = ops.slice(x, starts, size)
        joined = combine(left, right)
        if n % 2:
            starts[a], size[a] = 2 * h, 1
            joined = ops.concatenate([joined, ops.slice(x, starts, size)], axis=a)
        x, n = joined, h + n % 2
    return x


def prod(x, axis=None, keepdims=False):
    """The product over `axis` (every axis when None)."""
    x = _floats(x)
    axes = _axis_list(x, axis, "prod")
    for a in axes:
        x = _fold(x, a, ops.multiply, 1.0, "prod")
    return x if keepdims or not axes else ops.squeeze(x, axes)


def cumsum(x, axis=0):
    """Running sums along `axis`."""
    x = _floats(x)
    a = _axis_list(x, axis, "cumsum")[0]
    n, rank = x.shape[a], len(x.shape)
    if n is None:  # a dynamic axis: scan along it
        order = [a] + [i for i in range(rank) if i != a]
        first = ops.transpose(x, order) if a else x
        _, sums = ops.scan(lambda c, v: (ops.add(c, v), ops.add(c, v)), ops.zeros_like(ops.take(first, 0, axis=0)),
                           first)
        return ops.transpose(sums, [order.index(i) for i in range(rank)]) if a else sums
    perm = [i for i in range(rank) if i != a] + [a]
    last = ops.transpose(x, perm) if a != rank - 1 else x
    out = ops.matmul(last, np.triu(np.ones((n, n), np.dtype(x.dtype))))  # out[..., j] = sum over i <= j
    return ops.transpose(out, [perm.index(i) for i in range(rank)]) if a != rank - 1 else out


def any(x, axis=None, keepdims=False):  # noqa: A001
    """Whether any entry over `axis` is nonzero (a bool tensor)."""
    nonzero = ops.cast(ops.cast(_tensor(x), "bool"), "float32")
    return ops.greater(ops.max(nonzero, axis=axis, keepdims=keepdims), 0.0)


def all(x, axis=None, keepdims=False):  # noqa: A001
    """Whether every entry over `axis` is nonzero (a bool tensor)."""
    nonzero = ops.cast(ops.cast(_tensor(x), "bool"), "float32")
    return ops.greater(ops.min(nonzero, axis=axis, keepdims=keepdims), 0.0)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, computed without overflow."""
    x = _tensor(x)
    top = ops.max(x, axis=axis, keepdims=True)
    top = ops.where(ops.less(ops.abs(top), np.inf), top, ops.zeros_like(top))  # all -inf: shift by 0
    out = ops.add(ops.log(ops.sum(ops.exp(ops.subtract(x, top)), axis=axis, keepdims=True)), top)
    if keepdims:
        return out
    return ops.squeeze(out, _axis_list(x, axis, "logsumexp")) if len(x.shape) else out


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x**2, axis), 1e-12))."""
    squares = ops.sum(ops.square(_tensor(x)), axis=axis, keepdims=True)
    return ops.divide(x, ops.sqrt(ops.maximum(squares, 1e-12)))


def pow(x, a):  # noqa: A001
    return ops.power(x, a)


def round(x):  # noqa: A001
    """Round to the nearest integer, ties to even (as Keras 2 does: 2.5 -> 2, 3.5 -> 4)."""
    x = _tensor(x)
    r = ops.floor(ops.add(x, 0.5))
    r = ops.where(ops.greater(ops.subtract(r, x), 0.5), ops.subtract(r, 1.0), r)  # x + 0.5 rounded up
    odd = ops.not_equal(ops.subtract(r, ops.multiply(ops.floor(ops.multiply(r, 0.5)), 2.0)), 0.0)
    tie = ops.equal(ops.subtract(r, x), 0.5)
    return ops.where(ops.logical_and(tie, odd), ops.subtract(r, 1.0), r)


def clip(x, min_value=None, max_value=None):
    """x clipped to [min_value, max_value] (a max below the min is raised to it, as Keras 2 does)."""
    lo = -np.inf if min_value is None else min_value
    hi = np.inf if max_value is None else builtins.max(max_value, lo)
    return ops.clip(x, lo, hi)


def sin(x):
    return ops.sin(_floats(x))


def cos(x):
    return ops.cos(_floats(x))


# -- neural-network functions ---------------------------------------------------------------
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's relu: x above `threshold` (capped at max_value), alpha * (x - threshold) below."""
    x = _tensor(x)
    if max_value is not None and max_value < 0:
        raise ValueError(f"relu() needs max_value >= 0, got max_value={max_value}")
    if threshold:
        out = ops.where(ops.greater(x, threshold), x, ops.zeros_like(x))
    else:
        out = ops.relu(x)
    if max_value is not None:
        out = ops.clip(out, 0.0, max_value)
    if alpha:
        out = ops.subtract(out, ops.multiply(alpha, ops.relu(ops.subtract(threshold, x))))
    return out


def softmax(x, axis=-1):
    return ops.softmax(x, axis)


def bias_add(x, bias, data_format=None):
    """x + bias along the channels axis (the last one, or axis 1 with 'channels_first')."""
    data_format = data_format or image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"bias_add() got data_format={data_format!r}; expected 'channels_last' or 'channels_first'")
    if data_format == "channels_first" and ndim(x) > 2:
        if ndim(bias) != 1:
            raise ValueError(f"bias_add() with channels_first needs a 1-D bias, got shape {int_shape(bias)}")
        bias = ops.reshape(bias, (-1, *[1] * (ndim(x) - 2)))
    return ops.add(x, bias)


def switch(condition, then_expression, else_expression):
    """then_expression where condition is true, else_expression elsewhere; either may be a
    callable; a condition of lower rank applies along x's leading axes."""
    then = then_expression() if callable(then_expression) else then_expression
    other = else_expression() if callable(else_expression) else else_expression
    cond = _tensor(condition)
    if np.dtype(cond.dtype) != np.bool_:
        cond = ops.cast(cond, "bool")
    rank = builtins.max(ndim(then), ndim(other))
    if ndim(cond) > rank:
        raise ValueError(f"switch() needs a condition of rank <= that of the expressions ({rank}), got condition "
                         f"shape {int_shape(cond)}")
    if 0 < ndim(cond) < rank:
        cond = ops.reshape(cond, (*[None] * ndim(cond), *[1] * (rank - ndim(cond))))
    return ops.where(cond, then, other)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum(target * log(p)) over `axis`; p = output renormalized and clipped, or softmax(output)."""
    from .losses import categorical_crossentropy as loss

    return loss(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """categorical_crossentropy with integer class ids as `target`."""
    from .losses import sparse_categorical_crossentropy as loss

    if axis not in (-1, ndim(output) - 1):
        raise ValueError(f"sparse_categorical_crossentropy() supports only the last axis (-1), got axis={axis}")
    return loss(target, output, from_logits=from_logits)


def binary_crossentropy(target, output, from_logits=False):
    """Element-wise -(t log p + (1 - t) log(1 - p)); p clipped to [eps, 1 - eps], or sigmoid(output)."""
    output = _tensor(output, floatx())
    target = ops.cast(_tensor(target), np.dtype(output.dtype).name)
    if from_logits:  # max(z, 0) - z t + log(1 + exp(-|z|))
        return ops.add(ops.subtract(ops.relu(output), ops.multiply(output, target)),
                       ops.softplus(ops.negative(ops.abs(output))))
    p = ops.clip(output, epsilon(), 1.0 - epsilon())
    return ops.negative(ops.add(ops.multiply(target, ops.log(p)),
                                ops.multiply(ops.subtract(1.0, target), ops.log(ops.subtract(1.0, p)))))


# -- session ----------------------------------------------------------------------------------
def clear_session():
    naming.reset()


def backend():
    return "onnxruntime"


__all__ = [
    # config and session
    "backend", "clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
    "set_image_data_format", "learning_phase",
    # tensors and variables
    "constant", "zeros", "ones", "zeros_like", "ones_like", "cast_to_floatx", "variable", "random_normal",
    "random_uniform", "get_value", "set_value", "eval", "is_keras_tensor", "is_tensor", "count_params",
    # shapes
    "shape", "int_shape", "ndim", "dtype", "cast", "reshape", "flatten", "batch_flatten", "expand_dims", "squeeze",
    "permute_dimensions", "transpose", "concatenate", "stack", "gather", "repeat_elements", "repeat", "reverse",
    "one_hot", "arange",
    # math
    "dot", "batch_dot", "sum", "mean", "var", "std", "prod", "max", "min", "any", "all", "argmax", "argmin",
    "cumsum", "logsumexp", "l2_normalize", "exp", "log", "sqrt", "square", "abs", "sign", "pow", "round", "sin",
    "cos", "clip", "maximum", "minimum", "equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
    # neural-network functions
    "relu", "elu", "sigmoid", "hard_sigmoid", "tanh", "softplus", "softsign", "softmax", "bias_add", "switch",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
]
