"""horn.ops: the one vocabulary that creates computation (Keras 3 names).

Every function takes traced tensors, variables, numpy arrays or Python numbers. On traced
tensors it adds ONNX ops to the graph being compiled; on numpy arrays it computes at once
(through the same ops' numpy references) and returns numpy arrays.
"""

import functools
import inspect

import numpy as np

from ..compiler.dtypes import onnx_type
from ..compiler.ir import Value, apply
from . import tracing


def _axes(axis, ndim=None):
    if axis is None:
        return None
    axes = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    return np.array(axes, np.int64)


def convert_to_tensor(x, dtype=None):
    if isinstance(x, Value) or getattr(x, "_horn_variable", False):
        return x if dtype is None else cast(x, dtype)
    return np.asarray(x, dtype=dtype)


def is_traced(x):
    """Whether x is a tensor of a graph being compiled (not a numpy array or a number)."""
    return isinstance(x, Value)


def shape(x):
    """The static shape (None for dynamic axes)."""
    return tuple(x.shape)


# -- arithmetic ---------------------------------------------------------------------------
def add(x, y): return apply("Add", x, y)
def subtract(x, y): return apply("Sub", x, y)
def multiply(x, y): return apply("Mul", x, y)
def divide(x, y): return apply("Div", x, y)
def true_divide(x, y): return apply("Div", x, y)
def negative(x): return apply("Neg", x)
def power(x, y): return apply("Pow", x, y)
def square(x): return apply("Mul", x, x)
def sqrt(x): return apply("Sqrt", x)
def exp(x): return apply("Exp", x)
def log(x): return apply("Log", x)
def sin(x): return apply("Sin", x)
def cos(x): return apply("Cos", x)
def abs(x): return apply("Abs", x)  # noqa: A001
def absolute(x): return apply("Abs", x)
def sign(x): return apply("Sign", x)
def floor(x): return apply("Floor", x)
def reciprocal(x): return apply("Reciprocal", x)
def erf(x): return apply("Erf", x)
def maximum(x, y): return apply("Max", x, y)
def minimum(x, y): return apply("Min", x, y)
def matmul(x, y): return apply("MatMul", x, y)
def dot(x, y): return apply("MatMul", x, y)
def identity(x): return apply("Identity", x)


def clip(x, x_min, x_max):
    like = x if isinstance(x, (Value, np.ndarray)) else np.asarray(x, np.float32)
    dtype = like.dtype
    return apply("Clip", x, np.asarray(x_min, dtype), np.asarray(x_max, dtype))


def where(condition, x, y): return apply("Where", condition, x, y)


# -- comparisons --------------------------------------------------------------------------
def equal(x, y): return apply("Equal", x, y)
def not_equal(x, y): return apply("Not", apply("Equal", x, y))
def greater(x, y): return apply("Greater", x, y)
def greater_equal(x, y): return apply("GreaterOrEqual", x, y)
def less(x, y): return apply("Less", x, y)
def less_equal(x, y): return apply("LessOrEqual", x, y)
def logical_and(x, y): return apply("And", x, y)
def logical_or(x, y): return apply("Or", x, y)
def logical_not(x): return apply("Not", x)


def cast(x, dtype):
    return apply("Cast", x, to=onnx_type(dtype))


# -- reductions ---------------------------------------------------------------------------
def _reduce(op_type, x, axis, keepdims):
    axes = _axes(axis)
    if axes is None:
        return apply(op_type, x, keepdims=int(keepdims))
    return apply(op_type, x, axes, keepdims=int(keepdims))


def sum(x, axis=None, keepdims=False): return _reduce("ReduceSum", x, axis, keepdims)  # noqa: A001
def mean(x, axis=None, keepdims=False): return _reduce("ReduceMean", x, axis, keepdims)
def max(x, axis=None, keepdims=False): return _reduce("ReduceMax", x, axis, keepdims)  # noqa: A001
def min(x, axis=None, keepdims=False): return _reduce("ReduceMin", x, axis, keepdims)  # noqa: A001


def argmax(x, axis=-1, keepdims=False):
    return apply("ArgMax", x, axis=int(axis), keepdims=int(keepdims))


def argmin(x, axis=-1, keepdims=False):
    return apply("ArgMin", x, axis=int(axis), keepdims=int(keepdims))


def size(x):
    """The number of elements (a scalar int64 tensor)."""
    return apply("Size", x)


# -- shapes -------------------------------------------------------------------------------
def reshape(x, new_shape):
    """Reshape; -1 infers one axis and None keeps that axis (the batch axis) as it is. A traced
    int64 vector as `new_shape` is read at run time (built with `dynamic_shape`)."""
    if is_traced(new_shape):
        return apply("Reshape", x, new_shape)
    target = [0 if d is None else int(d) for d in new_shape]
    return apply("Reshape", x, np.array(target, np.int64))


def dynamic_shape(x, start=0, end=None):
    """x.shape[start:end] as an int64 vector read at run time, for axes unknown while tracing:
    `reshape(rows, concatenate([dynamic_shape(x, 0, 2), np.array([4])]))` unfolds batch*time."""
    attrs = {"start": int(start)} if start else {}
    return apply("Shape", x, **attrs, **({} if end is None else {"end": int(end)}))


def transpose(x, axes=None):
    perm = list(reversed(range(len(x.shape)))) if axes is None else [int(a) for a in axes]
    return apply("Transpose", x, perm=perm)


def expand_dims(x, axis): return apply("Unsqueeze", x, _axes(axis))


def squeeze(x, axis=None):
    return apply("Squeeze", x) if axis is None else apply("Squeeze", x, _axes(axis))


def concatenate(xs, axis=0): return apply("Concat", *xs, axis=int(axis))


def stack(xs, axis=0):
    return concatenate([expand_dims(x, axis) for x in xs], axis=axis)


def one_hot(x, num_classes, axis=-1, dtype="float32"):
    """One-hot encode integer x (any integer dtype; cast to int64 as ONNX wants)."""
    values = np.array([0, 1], dtype=np.dtype(dtype))
    return apply("OneHot", cast(x, "int64"), np.array(num_classes, np.int64), values, axis=int(axis))


# -- neural-network functions -----------------------------------------------------------
def relu(x): return apply("Relu", x)
def sigmoid(x): return apply("Sigmoid", x)
def tanh(x): return apply("Tanh", x)
def softplus(x): return apply("Softplus", x)
def softsign(x): return apply("Softsign", x)
def elu(x, alpha=1.0): return apply("Elu", x, alpha=float(alpha))
def selu(x): return apply("Selu", x)
def leaky_relu(x, negative_slope=0.2): return apply("LeakyRelu", x, alpha=float(negative_slope))
def softmax(x, axis=-1): return apply("Softmax", x, axis=int(axis))
def log_softmax(x, axis=-1): return apply("LogSoftmax", x, axis=int(axis))
def silu(x): return multiply(x, sigmoid(x))
def relu6(x): return clip(x, 0.0, 6.0)
def exponential(x): return exp(x)


def hard_sigmoid(x):
    """Keras 3's hard sigmoid, relu6(x + 3) / 6."""
    return apply("HardSigmoid", x, alpha=1.0 / 6.0, beta=0.5)


def gelu(x, approximate=True):
    if approximate:
        inner = multiply(np.float32(np.sqrt(2 / np.pi)), add(x, multiply(0.044715, power(x, 3.0))))
        return multiply(multiply(0.5, x), add(1.0, tanh(inner)))
    return multiply(multiply(0.5, x), add(1.0, erf(divide(x, np.float32(np.sqrt(2.0))))))



def _op_seed(seed):
    """A random op's seed: the one given, else (after set_random_seed()) one drawn from horn's
    host generator, so that every random sequence is reproducible too; else None."""
    if seed is None:
        from .initializers import host_rng, seeded

        seed = int(host_rng().integers(2**31)) if seeded() else None
    return seed

def dropout(x, rate, seed=None):
    """Inverted dropout: zero each element with probability `rate`, scale the rest by 1/(1-rate)."""
    seed = _op_seed(seed)
    kw = {} if seed is None else {"seed": int(seed)}
    out, _ = apply("Dropout", x, np.array(rate, np.float32), np.array(True), **kw)
    return out


# -- indexing (Gather / ScatterND) --------------------------------------------------------
def take(x, indices, axis=None):
    """x's entries at integer `indices` along `axis` (flattened x when axis is None), as
    np.take; negative indices count from the end. Embedding's lookup."""
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    indices = indices if isinstance(indices, Value) or getattr(indices, "_horn_variable", False) \
        else np.asarray(indices)
    if indices.dtype not in (np.int32, np.int64):  # floats (Keras 2 fed Embedding floats), int8...
        indices = cast(indices, "int64")
    return apply("Gather", x, indices, axis=int(axis))


def _int64_indices(indices):
    if isinstance(indices, Value):
        return indices if indices.dtype == np.int64 else cast(indices, "int64")
    return np.asarray(indices, np.int64)


def scatter(indices, values, shape):
    """Zeros of `shape` with `values` added at `indices` (..., k); repeated indices sum."""
    zeros = np.zeros(tuple(int(d) for d in shape), np.dtype(getattr(values, "dtype", np.float32)))
    return apply("ScatterND", zeros, _int64_indices(indices), values, reduction="add")


def scatter_update(inputs, indices, updates):
    """`inputs` with the entries at `indices` (..., k) replaced by `updates`."""
    return apply("ScatterND", inputs, _int64_indices(indices), updates)


def flip(x, axis=None):
    """Reverse the order of x's entries along `axis` (every axis when None): a Gather with a
    constant index list where the size is static, a Slice with step -1 where it is not."""
    axes = range(len(x.shape)) if axis is None else ([axis] if isinstance(axis, (int, np.integer)) else axis)
    for a in axes:
        n = x.shape[a]
        if n is None:
            big = np.iinfo(np.int64).max
            x = apply("Slice", x, np.array([-1], np.int64), np.array([-big], np.int64),
                      np.array([int(a)], np.int64), np.array([-1], np.int64))
        else:
            x = apply("Gather", x, np.arange(n - 1, -1, -1, dtype=np.int64), axis=int(a))
    return x


def repeat(x, repeats, axis):
    """Repeat each entry of x `repeats` times along `axis` (np.repeat with an int count):
    an Expand when that axis has size 1 (its gradient sums the copies), else a Gather."""
    rank = len(x.shape)
    axis = int(axis) % rank
    if x.shape[axis] == 1:
        target = [1] * rank
        target[axis] = int(repeats)
        return apply("Expand", x, np.array(target, np.int64))
    if x.shape[axis] is None:
        raise ValueError(f"repeat needs a static size along axis {axis}, got shape {tuple(x.shape)}")
    return apply("Gather", x, np.repeat(np.arange(x.shape[axis], dtype=np.int64), int(repeats)), axis=axis)


def dropout_mask(like, rate, seed=None):
    """A float mask shaped like `like` (dynamic axes too): 0 with probability `rate`, else
    1 / (1 - rate); the mask a recurrent cell reuses at every timestep. Read from Dropout's
    boolean mask output: onnxruntime's EliminateDropout rewrite (level basic and up, 1.31)
    deletes a Dropout whose mask output is unused, whatever its training_mode, so
    dropout(ones_like(x)) would silently be all ones."""
    seed = _op_seed(seed)
    kw = {} if seed is None else {"seed": int(seed)}
    ones = apply("ConstantOfShape", apply("Shape", like), value=np.ones(1, np.dtype(like.dtype)))
    _, keep = apply("Dropout", ones, np.array(rate, np.float32), np.array(True), **kw)
    return multiply(cast(keep, like.dtype), np.asarray(1.0 / (1.0 - rate), like.dtype))


# -- normalization (BatchNormalization) ---------------------------------------------------
def moments(x, axes, keepdims=False, synchronized=False):
    """(mean, variance) of x over `axes`; the variance is the biased one (divided by n)."""
    mean = mean_kept = _reduce("ReduceMean", x, axes, True)
    variance = _reduce("ReduceMean", square(subtract(x, mean_kept)), axes, keepdims)
    if not keepdims:
        mean = squeeze(mean_kept, axes)
    return mean, variance


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """(x - mean) / sqrt(variance + epsilon) * scale + offset, with the (C,) statistics and
    parameters laid along `axis`; written x * s + t so that constant statistics fold to two
    per-channel constants."""
    rank = len(x.shape)
    axis = axis % rank
    s = reciprocal(sqrt(add(variance, float(epsilon))))
    if scale is not None:
        s = multiply(s, scale)
    t = negative(multiply(mean, s))
    if offset is not None:
        t = add(offset, t)
    if axis != rank - 1:  # (C,) -> (C, 1, ..., 1) so that it broadcasts along `axis`
        along = [-1] + [1] * (rank - 1 - axis)
        s, t = reshape(s, along), reshape(t, along)
    return add(multiply(x, s), t)


# -- convolutions (Conv / ConvTranspose / Slice) --------------------------------------------
# Kernels come in Keras's layouts and are transposed into ONNX's (O, I/groups, *k) inside the
# graph: folded away in inference programs, one small Transpose per step in training.
def _conv_tuple(value, rank, what):
    values = [value] * rank if isinstance(value, (int, np.integer)) else list(value)
    if len(values) != rank or any(not isinstance(v, (int, np.integer)) or v < 1 for v in values):
        raise ValueError(f"{what} must be a positive integer or a tuple of {rank}, got {value!r}")
    return [int(v) for v in values]


def _conv_format(data_format):
    from .config import image_data_format

    data_format = data_format or image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    return data_format


def _to_nc(x, data_format):
    rank = len(x.shape)
    return x if data_format == "channels_first" else transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _from_nc(x, data_format):
    rank = len(x.shape)
    return x if data_format == "channels_first" else transpose(x, [0] + list(range(2, rank)) + [1])


def _keras_to_onnx_kernel(kernel):
    """(*k, a, b) -> (b, a, *k): Keras's conv kernel (*k, in/g, out) and transposed-conv kernel
    (*k, out, in) both become the ONNX weight (out, in/g, *k), resp. (in, out, *k)."""
    r = len(kernel.shape) - 2
    return transpose(kernel, [r + 1, r] + list(range(r)))


def _larger(a, b):  # this module's max and min are the reductions
    return a if a >= b else b


def _smaller(a, b):
    return a if a <= b else b


def conv_padding(padding, sizes, kernel_size, strides, dilation_rate):
    """ONNX pads (begins, then ends) for Keras's padding: 'valid'; 'same' as TensorFlow pads
    (output ceil(n / stride), the odd pad at the end); 'causal' (all of it at the start)."""
    padding = padding.lower()
    begins, ends = [], []
    for i, (n, k, s, d) in enumerate(zip(sizes, kernel_size, strides, dilation_rate)):
        eff = (k - 1) * d + 1
        if padding == "valid":
            total, front = 0, 0
        elif padding == "causal":
            total, front = eff - 1, eff - 1
        elif padding == "same":
            if n is None and s != 1:  # with stride 1 the pad is eff - 1 whatever the size
                raise ValueError(f"padding='same' with strides {s} needs the spatial size known (the pad "
                                 f"depends on it), got size None on axis {i}")
            total = eff - 1 if s == 1 else _larger((-(-n // s) - 1) * s + eff - n, 0)
            front = total // 2
        else:
            raise ValueError(f"padding must be 'valid', 'same' or 'causal', got {padding!r}")
        begins.append(front)
        ends.append(total - front)
    return begins + ends


def conv_transpose_padding(padding, kernel_size, strides, dilation_rate, output_padding=None):
    """(ONNX pads, ONNX output_padding) that give Keras's transposed-convolution output: 'valid'
    (i - 1) * s + max(k, s) (or + k + output_padding), 'same' i * s (or (i - 1) * s + k % 2 +
    output_padding); the kernel dilated to k = (k - 1) * d + 1. As TensorFlow places it, the
    lower half of an odd crop comes off the start."""
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same' for a transposed convolution, got {padding!r}")
    r = len(kernel_size)
    output_padding = [None] * r if output_padding is None else _conv_tuple_zero(output_padding, r)
    begins, ends, extras = [], [], []
    for k, s, d, op in zip(kernel_size, strides, dilation_rate, output_padding):
        eff = (k - 1) * d + 1
        # Pads of the stride-1 convolution over the zero-dilated input (left, right) ...
        if padding == "valid":
            left, right = eff - 1, eff - 1 + (_larger(eff, s) - eff if op is None else op)
        else:
            total = s + eff - 2 if op is None else eff + eff % 2 - 2 + op
            left = _smaller(total // 2 + total % 2, eff - 1)
            right = total - left
        # ... are crops of ConvTranspose's full output; a negative crop is output padding.
        begins.append(eff - 1 - left)
        end = eff - 1 - right
        ends.append(_larger(end, 0))
        extras.append(_larger(-end, 0))
    return begins + ends, extras


def _conv_tuple_zero(value, rank):
    values = [value] * rank if isinstance(value, (int, np.integer)) else list(value)
    if len(values) != rank or any(not isinstance(v, (int, np.integer)) or v < 0 for v in values):
        raise ValueError(f"output_padding must be a non-negative integer or a tuple of {rank}, got {value!r}")
    return [int(v) for v in values]


def _check_conv_input(inputs, kernel, data_format, what, kernel_axis):
    r = len(kernel.shape) - 2
    if r < 1 or len(inputs.shape) != r + 2:
        raise ValueError(f"{what} needs a rank-{r + 2} input for a rank-{len(kernel.shape)} kernel, got input "
                         f"shape {tuple(inputs.shape)} and kernel shape {tuple(kernel.shape)}")
    channels = inputs.shape[1] if data_format == "channels_first" else inputs.shape[-1]
    need = kernel.shape[kernel_axis]
    if channels is not None and channels % need:
        raise ValueError(f"{what}: the input has {channels} channels (shape {tuple(inputs.shape)}, "
                         f"{data_format}), which the kernel {tuple(kernel.shape)} cannot split into groups "
                         f"of {need}")
    return r, channels


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, bias=None):
    """N-D convolution (1 to 3 spatial axes) with a Keras kernel (*kernel_size, in // groups,
    filters); groups = in_channels // kernel.shape[-2]. padding: 'valid', 'same' or 'causal'.
    `bias` (filters,), horn's addition, rides on ONNX Conv's bias input.

    Example: `conv(x, k, strides=2, padding="same")` with x (N, 32, 32, 3), k (3, 3, 3, 8)
    gives (N, 16, 16, 8)."""
    data_format = _conv_format(data_format)
    r, channels = _check_conv_input(inputs, kernel, data_format, "conv", -2)
    strides = _conv_tuple(strides, r, "strides")
    dilation_rate = _conv_tuple(dilation_rate, r, "dilation_rate")
    x = _to_nc(inputs, data_format)
    kernel_size = [int(k) for k in kernel.shape[:r]]
    pads = conv_padding(padding, x.shape[2:], kernel_size, strides, dilation_rate)
    for i, (n, k, d) in enumerate(zip(x.shape[2:], kernel_size, dilation_rate)):
        eff = (k - 1) * d + 1
        if n is not None and n + pads[i] + pads[r + i] < eff:
            raise ValueError(f"conv: the kernel is larger than the input along spatial axis {i} "
                             f"({k} taps with dilation {d} span {eff}, the input has {n} with padding "
                             f"{padding!r}): input shape {tuple(inputs.shape)}, kernel shape "
                             f"{tuple(kernel.shape)}")
    groups = 1 if channels is None else channels // int(kernel.shape[-2])
    y = apply("Conv", x, _keras_to_onnx_kernel(kernel), *([] if bias is None else [bias]),
              strides=strides, pads=pads, dilations=dilation_rate, group=groups)
    return _from_nc(y, data_format)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, bias=None):
    """Depthwise convolution with a Keras kernel (*kernel_size, in_channels, depth_multiplier):
    output channel c * depth_multiplier + m sees only input channel c."""
    r = len(kernel.shape) - 2
    k = [int(d) for d in kernel.shape]
    flat = reshape(kernel, k[:r] + [1, k[r] * k[r + 1]])
    return conv(inputs, flat, strides, padding, data_format, dilation_rate, bias=bias)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1, bias=None):
    """A depthwise convolution, then a 1x1 convolution (pointwise_kernel (1, ..., in * dm,
    filters)) that mixes the channels; `bias` goes with the pointwise step."""
    data_format = _conv_format(data_format)
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1, bias=bias)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1, bias=None):
    """Transposed convolution (the input gradient of `conv`) with a Keras kernel
    (*kernel_size, filters, in_channels). Output sizes as Keras's: 'valid' (i - 1) * s +
    max(k, s), 'same' i * s, or set exactly with output_padding (smaller than the strides)."""
    data_format = _conv_format(data_format)
    r, channels = _check_conv_input(inputs, kernel, data_format, "conv_transpose", -1)
    if channels is not None and channels != kernel.shape[-1]:
        raise ValueError(f"conv_transpose: the input has {channels} channels (shape {tuple(inputs.shape)}), "
                         f"but the kernel {tuple(kernel.shape)} expects {kernel.shape[-1]}")
    strides = _conv_tuple(strides, r, "strides")
    dilation_rate = _conv_tuple(dilation_rate, r, "dilation_rate")
    kernel_size = [int(k) for k in kernel.shape[:r]]
    pads, extra = conv_transpose_padding(padding, kernel_size, strides, dilation_rate, output_padding)
    if any(e >= s for e, s in zip(extra, strides)):
        raise ValueError(f"conv_transpose needs output_padding smaller than the strides, got "
                         f"output_padding={output_padding!r} with strides {strides}")
    y = apply("ConvTranspose", _to_nc(inputs, data_format), _keras_to_onnx_kernel(kernel),
              *([] if bias is None else [bias]), strides=strides, pads=pads, dilations=dilation_rate,
              output_padding=extra)
    return _from_nc(y, data_format)


def slice(inputs, start_indices, shape):  # noqa: A001
    """inputs[start : start + shape] on every axis (Keras's ops.slice); a shape entry of -1 or
    None takes the rest of that axis."""
    big = np.iinfo(np.int64).max
    ends = [big if s is None or s == -1 else int(b) + int(s) for b, s in zip(start_indices, shape)]
    return apply("Slice", inputs, np.array([int(b) for b in start_indices], np.int64), np.array(ends, np.int64),
                 np.arange(len(ends), dtype=np.int64))


# -- recurrent networks (layers/rnn) ------------------------------------------------------
def hard_sigmoid_keras2(x):
    """Keras 2's hard sigmoid, clip(0.2x + 0.5, 0, 1) (recurrent_activation of Keras 2 files)."""
    return apply("HardSigmoid", x, alpha=0.2, beta=0.5)


def _filled_like(x, value, dtype):
    dtype = np.dtype(dtype or x.dtype)
    if None not in tuple(x.shape):
        return np.full(tuple(x.shape), value, dtype)
    if np.dtype(x.dtype).kind == "f":
        # Where(x > inf (never true), v, v): shaped like x along dynamic axes too, and unlike
        # ConstantOfShape(Shape(x)) its shape is one onnxruntime infers (unknown dims make
        # its session setup quadratic in the node count) and it carries no gradient.
        never = apply("Greater", x, np.array(np.inf, x.dtype))
        if dtype == np.bool_:  # onnxruntime's Where has no boolean kernel; never is the flag
            return apply("Not", never) if value else never
        return apply("Where", never, np.full((), value, dtype), np.full((), value, dtype))
    return apply("ConstantOfShape", apply("Shape", x), value=np.full(1, value, dtype))


def zeros_like(x, dtype=None):
    """Zeros shaped like x (also along dynamic axes)."""
    return _filled_like(x, 0, dtype)


def ones_like(x, dtype=None):
    """Ones shaped like x (also along dynamic axes)."""
    return _filled_like(x, 1, dtype)


def recurrent_dropout_mask(like, rate, seed=None):
    """dropout_mask(like, rate, seed) with its ones from ones_like: a shape onnxruntime infers
    along a dynamic batch axis (ConstantOfShape's unknown dims took the session setup of an
    unrolled LSTM training step with dropout from 1.2 to 9.9 s)."""
    seed = _op_seed(seed)
    kw = {} if seed is None else {"seed": int(seed)}
    _, keep = apply("Dropout", ones_like(like), np.array(rate, np.float32), np.array(True), **kw)
    return multiply(cast(keep, like.dtype), np.asarray(1.0 / (1.0 - rate), like.dtype))


def split(x, indices_or_sections, axis=0):
    """np.split: into `n` equal parts, or at the given indices; returns a list."""
    axis = int(axis) % len(x.shape)
    n = x.shape[axis]
    if n is None:
        raise ValueError(f"split needs a static size along axis {axis}, got shape {tuple(x.shape)}")
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % int(indices_or_sections):
            raise ValueError(f"cannot split axis {axis} of size {n} into {indices_or_sections} equal parts")
        sizes = [n // int(indices_or_sections)] * int(indices_or_sections)
    else:
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
        sizes = [b - a for a, b in zip(bounds[:-1], bounds[1:])]
    if len(sizes) == 1:
        return [x]
    parts = apply("Split", x, np.array(sizes, np.int64), axis=axis)
    return list(parts) if isinstance(parts, tuple) else [parts]


def unstack(x, num=None, axis=0):
    """The slices of x along `axis` (which needs a static size), each without that axis."""
    axis = int(axis) % len(x.shape)
    return [squeeze(p, axis) for p in split(x, x.shape[axis], axis)]


def reverse_sequence(x, sequence_lengths, time_axis=0, batch_axis=1):
    """Reverse the first `sequence_lengths[b]` entries along `time_axis` of each batch row b."""
    return apply("ReverseSequence", x, _int64_indices(sequence_lengths), time_axis=int(time_axis),
                 batch_axis=int(batch_axis))


def _trim(*inputs):
    """Optional inputs left out at the end are not emitted at all."""
    inputs = list(inputs)
    while inputs and inputs[-1] is None:
        inputs.pop()
    return inputs


def _recurrent_attrs(direction, activations, activation_alpha, activation_beta, **more):
    attrs = dict(direction=direction, **more)
    if activations is not None:
        attrs["activations"] = list(activations)
    if activation_alpha:
        attrs["activation_alpha"] = [float(a) for a in activation_alpha]
    if activation_beta:
        attrs["activation_beta"] = [float(b) for b in activation_beta]
    return attrs


def fused_lstm(x, w, r, b=None, sequence_lens=None, initial_h=None, initial_c=None, direction="forward",
               activations=None, activation_alpha=None, activation_beta=None):
    """ONNX's LSTM op (inference only: it has no gradient). x (T, B, in), w (dirs, 4H, in),
    r (dirs, 4H, H), gates [i, o, f, c]; returns (Y (T, dirs, B, H), Y_h, Y_c)."""
    attrs = _recurrent_attrs(direction, activations, activation_alpha, activation_beta,
                             hidden_size=int(r.shape[-1]))
    return apply("LSTM", *_trim(x, w, r, b, sequence_lens, initial_h, initial_c), **attrs)


def fused_gru(x, w, r, b=None, sequence_lens=None, initial_h=None, direction="forward", activations=None,
              activation_alpha=None, activation_beta=None, linear_before_reset=False):
    """ONNX's GRU op (inference only). Gates [z, r, h]; returns (Y (T, dirs, B, H), Y_h)."""
    attrs = _recurrent_attrs(direction, activations, activation_alpha, activation_beta,
                             hidden_size=int(r.shape[-1]), linear_before_reset=int(bool(linear_before_reset)))
    return apply("GRU", *_trim(x, w, r, b, sequence_lens, initial_h), **attrs)


def fused_rnn(x, w, r, b=None, sequence_lens=None, initial_h=None, direction="forward", activations=None,
              activation_alpha=None, activation_beta=None):
    """ONNX's RNN op (inference only): Y (T, dirs, B, H), Y_h."""
    attrs = _recurrent_attrs(direction, activations, activation_alpha, activation_beta,
                             hidden_size=int(r.shape[-1]))
    return apply("RNN", *_trim(x, w, r, b, sequence_lens, initial_h), **attrs)


# -- pooling, padding, resizing (layers/pooling, layers/reshaping) -------------------------
# Like the convolutions: channels_last inputs are transposed to ONNX's (N, C, *spatial) layout
# around the ONNX op, and the compiler cancels the Transposes between consecutive layers.
def _pool(op_type, inputs, pool_size, strides, padding, data_format, what, **attrs):
    data_format = _conv_format(data_format)
    r = len(inputs.shape) - 2
    if not 1 <= r <= 3:
        raise ValueError(f"{what} needs an input with 1 to 3 spatial axes (rank 3 to 5), got shape "
                         f"{tuple(inputs.shape)}")
    pool_size = _conv_tuple(pool_size, r, "pool_size")
    strides = pool_size if strides is None else _conv_tuple(strides, r, "strides")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError(f"{what}: padding must be 'valid' or 'same', got {padding!r}")
    x = _to_nc(inputs, data_format)
    pads = conv_padding(padding, list(x.shape[2:]), pool_size, strides, [1] * r)
    return _from_nc(apply(op_type, x, kernel_shape=pool_size, strides=strides, pads=pads, **attrs), data_format)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over 1 to 3 spatial axes (Keras's ops.max_pool): windows of `pool_size`
    moved by `strides` (default: pool_size); 'same' pads as TensorFlow (output ceil(n / s),
    the odd pad at the end; padded cells never win).

    Example: x (N, 28, 28, 8) -> `max_pool(x, 2)` -> (N, 14, 14, 8)."""
    return _pool("MaxPool", inputs, pool_size, strides, padding, data_format, "max_pool")


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling (Keras's ops.average_pool); with padding='same' a window averages only
    the input cells it covers, as TensorFlow does."""
    return _pool("AveragePool", inputs, pool_size, strides, padding, data_format, "average_pool",
                 count_include_pad=0)


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "edge", "wrap": "wrap"}


def pad(x, pad_width, mode="constant", constant_values=None):
    """np.pad for tensors (Keras's ops.pad): pad_width is an int, one (before, after) pair, or
    one pair per axis; mode 'constant' (with constant_values, default 0), 'reflect', 'edge' or
    'wrap'. Only constant padding has a gradient.

    Example: `pad(x, [(0, 0), (1, 2), (0, 0)])` adds one row before and two after axis 1."""
    rank = len(x.shape)
    widths = np.asarray(pad_width, dtype=object)
    try:
        if widths.ndim == 0:
            widths = [(int(pad_width), int(pad_width))] * rank
        elif widths.ndim == 1 and len(widths) == 2 and not isinstance(pad_width[0], (tuple, list)):
            widths = [(int(pad_width[0]), int(pad_width[1]))] * rank
        else:
            widths = [(int(b), int(e)) for b, e in pad_width]
    except (TypeError, ValueError):
        raise ValueError(f"pad_width must be an int, a (before, after) pair or one pair per axis, "
                         f"got {pad_width!r}") from None
    if len(widths) != rank or any(b < 0 or e < 0 for b, e in widths):
        raise ValueError(f"pad needs {rank} non-negative (before, after) pairs for shape {tuple(x.shape)}, "
                         f"got {pad_width!r}")
    if mode not in _PAD_MODES:
        raise ValueError(f"pad mode must be one of {sorted(_PAD_MODES)}, got {mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"pad takes constant_values only with mode='constant', got mode={mode!r}")
    pads = np.array([b for b, _ in widths] + [e for _, e in widths], np.int64)
    dtype = np.dtype(getattr(x, "dtype", np.float32))
    value = [] if constant_values is None else [np.asarray(constant_values, dtype)]
    return apply("Pad", x, pads, *value, mode=_PAD_MODES[mode])


def crop(x, cropping, data_format=None):
    """Drop cropping[i] = (start, end) elements from the two ends of spatial axis i (what
    Keras's Cropping layers compute): one Slice of the spatial axes, whose sizes must be known.

    Example: x (N, 6, 7, 3) -> `crop(x, [(1, 2), (0, 3)])` -> (N, 3, 4, 3)."""
    data_format = _conv_format(data_format)
    r = len(x.shape) - 2
    axes = list(range(1, r + 1)) if data_format == "channels_last" else list(range(2, r + 2))
    pairs = [(int(a), int(b)) for a, b in cropping]
    if len(pairs) != r or any(a < 0 or b < 0 for a, b in pairs):
        raise ValueError(f"crop needs {r} non-negative (start, end) pairs for shape {tuple(x.shape)}, got {cropping!r}")
    sizes = [x.shape[a] for a in axes]
    if None in sizes or any(a + b >= n for (a, b), n in zip(pairs, sizes)):
        raise ValueError(f"crop needs known spatial sizes larger than the cropping, got shape {tuple(x.shape)} "
                         f"({data_format}) and cropping {pairs}")
    if not any(a or b for a, b in pairs):
        return x
    return apply("Slice", x, np.array([a for a, _ in pairs], np.int64),
                 np.array([n - b for (_, b), n in zip(pairs, sizes)], np.int64), np.array(axes, np.int64))


def _resize_nc(x, interpolation, scales=None, sizes=None):
    """ONNX Resize of the spatial axes of (N, C, *spatial) by `scales` or to `sizes`, as
    TensorFlow (so Keras) resizes: half-pixel centres; 'nearest' takes the source element
    floor((o + 0.5) * in / out), 'bilinear' interpolates between the two nearest, edges clamped."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"interpolation must be 'nearest' or 'bilinear' in horn, got {interpolation!r}")
    kw = dict(mode="nearest" if interpolation == "nearest" else "linear",
              coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_ceil")
    if sizes is not None:
        return apply("Resize", x, None, None, np.array([int(d) for d in sizes], np.int64),
                     axes=list(range(2, len(x.shape))), **kw)
    return apply("Resize", x, None, np.array([1.0, 1.0] + [float(s) for s in scales], np.float32), **kw)


def resize(images, size, interpolation="bilinear", antialias=False, data_format=None):
    """Resize images (Keras's ops.image.resize) of shape (N, H, W, C) or (H, W, C) (or
    channels_first) to `size` = (height, width): 'bilinear' or 'nearest', half-pixel centres,
    no antialiasing.

    Example: x (N, 4, 5, 3) -> `resize(x, (8, 10))` -> (N, 8, 10, 3)."""
    if antialias:
        raise NotImplementedError("resize(antialias=True) is not supported by horn")
    # One Resize of the spatial axes in place: onnxruntime 1.32 refused to load the Resize of
    # `sizes` and `axes` that the NCHW transposes used to surround.
    return resize_spatial(images, size, interpolation, data_format)


def upsample(x, size, interpolation="nearest", data_format=None):
    """Upsample the 1 to 3 spatial axes of x by integer factors `size` (what Keras's UpSampling
    layers compute): 'nearest' repeats each element (Keras's ops.repeat), 'bilinear' is Keras's
    half-pixel bilinear resize. Spatial sizes may be unknown (None).

    Example: x (N, 4, 5, 3) -> `upsample(x, (2, 3))` -> (N, 8, 15, 3)."""
    data_format = _conv_format(data_format)
    r = len(x.shape) - 2
    if not 1 <= r <= 3:
        raise ValueError(f"upsample needs an input with 1 to 3 spatial axes, got shape {tuple(x.shape)}")
    factors = _conv_tuple(size, r, "size")
    return _from_nc(_resize_nc(_to_nc(x, data_format), interpolation, scales=factors), data_format)


def uniform_like(x, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Random numbers uniform in [minval, maxval), shaped like x, dynamic axes included
    (keras.random.uniform with the shape taken from a tensor); new numbers every run."""
    seed = _op_seed(seed)
    attrs = {} if seed is None else {"seed": float(seed)}
    if dtype is not None:
        attrs["dtype"] = onnx_type(dtype)
    return apply("RandomUniformLike", x, low=float(minval), high=float(maxval), **attrs)


def normal_like(x, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normally distributed random numbers (mean, stddev) shaped like x, dynamic axes included
    (keras.random.normal with the shape taken from a tensor); new numbers every run. Seeded
    as uniform_like: after set_random_seed() an unseeded call gets a seed from horn's host rng."""
    if stddev < 0:
        raise ValueError(f"normal_like needs stddev >= 0, got stddev={stddev}")
    if stddev == 0:  # no draw: onnxruntime's RandomNormalLike aborts the process on scale 0
        return _filled_like(x, mean, dtype)
    seed = _op_seed(seed)
    attrs = {} if seed is None else {"seed": float(seed)}
    if dtype is not None:
        attrs["dtype"] = onnx_type(dtype)
    return apply("RandomNormalLike", x, mean=float(mean), scale=float(stddev), **attrs)


# -- loops ----------------------------------------------------------------------------------
def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Keras's `ops.scan`: `carry, y = f(carry, x)` for each x along axis 0 of `xs`; returns the
    final carry and the ys stacked along axis 0 (in the order of xs, also with reverse=True).

    `init`, `xs` and what f returns may be tensors or lists/tuples of them. On traced tensors
    this is one ONNX Scan (its body is f traced once, and it runs for any number of steps:
    axis 0 of xs may be dynamic); on numpy it loops at once. `unroll` is accepted for Keras
    compatibility (a Scan is never unrolled; see RNN for unrolled recurrences).
    """
    from ..compiler.ir import _graph_of, to_value
    from ..compiler.opdefs.scan import new_body
    from ..compiler.passes import optimize
    from ..compiler.passes.scan_hoist import lift_loop_invariants
    from .tracing import flatten, pack_like

    carry_leaves = flatten(init)
    x_leaves = flatten(xs) if xs is not None else []
    graph = _graph_of(carry_leaves + x_leaves)
    if graph is None:
        return _scan_eagerly(f, init, xs, length, reverse)
    if not x_leaves:
        raise ValueError("ops.scan on traced tensors needs `xs` (a sequence to scan over), got none")
    carry_leaves = [to_value(graph, c) for c in carry_leaves]
    x_leaves = [to_value(graph, x) for x in x_leaves]
    body = new_body(graph)
    carry_in = [body.input(c.shape, c.dtype, body.unique("carry")) for c in carry_leaves]
    x_in = [body.input(x.shape[1:], x.dtype, body.unique("x")) for x in x_leaves]
    with body.building():
        new_carry, y = f(pack_like(init, carry_in), pack_like(xs, x_in))
        new_leaves = flatten(new_carry)
        if len(new_leaves) != len(carry_in):
            raise ValueError(f"ops.scan: f returned a carry of {len(new_leaves)} tensor(s) for an init of "
                             f"{len(carry_in)}")
        y_leaves = flatten(y) if y is not None else []
        likes = carry_in + [carry_in[0] if carry_in else None] * len(y_leaves)  # dtypes for Python numbers
        outs = [to_value(body, v, like=c) for v, c in zip(new_leaves + y_leaves, likes)]
        outs[:len(carry_in)] = [o if o.dtype == c.dtype else cast(o, c.dtype) for o, c in zip(outs, carry_in)]
    for o, c in zip(outs, carry_leaves):
        if o.ndim != c.ndim or any(a != b for a, b in zip(o.shape, c.shape) if None not in (a, b)):
            raise ValueError(f"ops.scan: f returned a carry of shape {o.shape} for an init of shape {c.shape}")
    body.outputs = outs
    body.inputs = carry_in + x_in
    optimize(body)
    lift_loop_invariants(body, graph)
    direction = [int(bool(reverse))]
    with graph.building():
        result = apply("Scan", *carry_leaves, *x_leaves, *[v for v, _ in body.captures], body=body,
                       num_scan_inputs=len(x_leaves), scan_input_directions=direction * len(x_leaves),
                       scan_output_directions=direction * len(y_leaves))
    result = list(result) if isinstance(result, tuple) else [result]
    final, ys = result[:len(carry_leaves)], result[len(carry_leaves):]
    return pack_like(init, final), (pack_like(y, ys) if y is not None else None)


def _scan_eagerly(f, init, xs, length, reverse):
    from .tracing import flatten, pack_like

    x_leaves = flatten(xs) if xs is not None else []
    steps = len(x_leaves[0]) if x_leaves else int(length)
    carry, ys = init, [None] * steps
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        carry, ys[t] = f(carry, pack_like(xs, [x[t] for x in x_leaves]) if x_leaves else None)
    if not steps or ys[0] is None:
        return carry, None
    leaves = [flatten(y) for y in ys]
    return carry, pack_like(ys[0], [np.stack([lv[k] for lv in leaves]) for k in range(len(leaves[0]))])


# -- image preprocessing (layers/preprocessing) ---------------------------------------------
def resize_spatial(images, size, interpolation="bilinear", data_format=None):
    """resize() without its layout Transposes: one ONNX Resize of the two spatial axes in place
    (axes 1, 2 of (N, H, W, C) or 2, 3 of (N, C, H, W); rank-3 images too). onnxruntime 1.32's
    layout optimizer rejects a Resize of `sizes` and `axes` between the Transposes resize() adds
    ("Number of elements of input 'sizes' (0) does not match the number of axes").

    Example: x (N, 7, 9, 3) -> `resize_spatial(x, (4, 5))` -> (N, 4, 5, 3)."""
    data_format = _conv_format(data_format)
    rank = len(images.shape)
    if rank not in (3, 4):
        raise ValueError(f"resize_spatial needs images of rank 3 or 4, got shape {tuple(images.shape)}")
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"interpolation must be 'nearest' or 'bilinear' in horn, got {interpolation!r}")
    axes = [rank - 3, rank - 2] if data_format == "channels_last" else [rank - 2, rank - 1]
    return apply("Resize", images, None, None, np.array([int(d) for d in size], np.int64), axes=axes,
                 mode="nearest" if interpolation == "nearest" else "linear",
                 coordinate_transformation_mode="half_pixel", nearest_mode="round_prefer_ceil")


def grid_sample(images, grid, mode="linear", padding_mode="zeros", align_corners=False):
    """Sample images (N, C, H, W) at the points of grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo): one
    ONNX GridSample (opset 20). grid[..., 0] is x (along W) and grid[..., 1] is y (along H),
    normalized to [-1, 1] (the outer pixel edges, or the border pixel centres with align_corners).
    mode 'linear' or 'nearest'; padding_mode 'zeros', 'border' or 'reflection'. No gradient.

    Example: an identity grid of (N, 4, 5, 2) on x (N, 3, 4, 5) gives x back."""
    if mode not in ("linear", "nearest"):
        raise ValueError(f"grid_sample(mode=...) must be 'linear' or 'nearest' in horn, got mode={mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample(padding_mode=...) must be 'zeros', 'border' or 'reflection', "
                         f"got padding_mode={padding_mode!r}")
    return apply("GridSample", images, grid, mode=mode, padding_mode=padding_mode,
                 align_corners=int(bool(align_corners)))


# -- symbolic tensors of the functional API ----------------------------------------------------
# Keras 3 lets a functional model apply keras.ops to its symbolic tensors: each public op here,
# given a KerasTensor, becomes a call of an OpLayer (layers/op_layer.py) wrapping it.
_NOT_SYMBOLIC = {"convert_to_tensor", "is_traced", "shape", "conv_padding", "conv_transpose_padding", "scan",
                 "fused_lstm", "fused_gru", "fused_rnn", "dropout_mask", "recurrent_dropout_mask"}

def arange(start, stop=None, step=1, dtype=None):
    """np.arange(start, stop, step); a bound may be a traced scalar (a length read at run time,
    `arange(take(dynamic_shape(x), 1, axis=0))`), which leaves the result's length unknown while
    tracing. Index vectors carry no gradient (ONNX Range)."""
    if stop is None:
        start, stop = 0, start
    if not any(is_traced(v) for v in (start, stop, step)):
        return np.arange(start, stop, step, dtype=dtype)
    dtype = np.dtype(dtype or "int64")
    bounds = [cast(v, dtype) if is_traced(v) and v.dtype != dtype else v if is_traced(v) else np.asarray(v, dtype)
              for v in (start, stop, step)]
    return apply("Range", *bounds)



def _on_symbolic(fn):
    @functools.wraps(fn)
    def op(*args, **kwargs):
        from .layers.keras_tensor import KerasTensor

        if any(isinstance(a, KerasTensor) for a in tracing.flatten((args, kwargs))):
            from .layers.op_layer import OpLayer

            return OpLayer(fn)(*args, **kwargs)
        return fn(*args, **kwargs)
    return op


for _name, _fn in list(globals().items()):
    if inspect.isfunction(_fn) and _fn.__module__ == __name__ and not _name.startswith("_") \
            and _name not in _NOT_SYMBOLIC:
        globals()[_name] = _on_symbolic(_fn)

