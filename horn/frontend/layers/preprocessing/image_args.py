"""Argument checks and small image helpers the image preprocessing layers share (Resizing,
CenterCrop, RandomFlip, RandomCrop, RandomContrast, RandomBrightness)."""

import numbers

import numpy as np

from ... import config, ops


def check_size(who, arg, value):
    """A positive int output size (height or width)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{who}({arg}=...) must be a positive integer, got {arg}={value!r}")
    return int(value)


def check_data_format(who, data_format):
    """None (keras.config.image_data_format()), 'channels_last' or 'channels_first'."""
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{who}(data_format=...) must be 'channels_last' or 'channels_first', "
                         f"got data_format={data_format!r}")
    return data_format


def check_value_range(who, value_range, sort=True):
    """Two numbers (low, high) the images' values lie in; the output is clipped to them."""
    if isinstance(value_range, dict) and value_range.get("class_name") == "__tuple__":  # a Keras 3 config
        value_range = value_range["config"]["value"]
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2 or not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value_range):
        raise ValueError(f"{who}(value_range=...) must be a list of two numbers (low, high), "
                         f"got value_range={value_range!r}")
    return sorted(value_range) if sort else list(value_range)


def check_factor(who, factor, bounds):
    """Keras 3's factor of the color layers: a number f in `bounds` gives the range
    (max(-f, bounds[0]), f); a pair gives itself, sorted. Returns (lower, upper)."""
    if isinstance(factor, dict) and factor.get("class_name") == "__tuple__":  # a Keras 3 config
        factor = factor["config"]["value"]
    message = (f"{who}(factor=...) must be a number in [{bounds[0]}, {bounds[1]}] or a list of two such "
               f"numbers, got factor={factor!r}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(isinstance(f, numbers.Real) and not isinstance(f, bool) for f in factor):
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
    elif isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        lower, upper = builtin_max(-abs(factor), bounds[0]), abs(factor)
    else:
        raise ValueError(message)
    return (lower, upper)


builtin_max = max  # kept apart from ops.max, a reduction


def spatial_axes(who, shape, data_format):
    """(height axis, width axis) of an image batch (N, H, W, C) or image (H, W, C) (channels_last),
    or (N, C, H, W) / (C, H, W) (channels_first)."""
    rank = len(shape)
    if rank not in (3, 4):
        raise TypeError(f"{who} expected images of rank 4 (batch, height, width, channels) or rank 3 "
                        f"(height, width, channels), got input shape {tuple(shape)}")
    return (rank - 3, rank - 2) if data_format == "channels_last" else (rank - 2, rank - 1)


def as_float(who, inputs, dtype):
    """The images in the layer's (float) dtype: integer pixels (uint8...) are cast first."""
    if np.dtype(inputs.dtype) != np.dtype(dtype):
        inputs = ops.cast(inputs, np.dtype(dtype).name)
    return inputs


def crop_window(x, axes, starts, sizes):
    """x[..., start : start + size, ...] along the two spatial `axes` (static starts)."""
    begin, shape = [0] * len(x.shape), [None] * len(x.shape)
    for axis, start, size in zip(axes, starts, sizes):
        begin[axis], shape[axis] = int(start), int(size)
    return ops.slice(x, begin, shape)


def aspect_crop(height, width, target_height, target_width):
    """The centred window of the largest size with the target's aspect ratio, as Keras 3 picks it
    (its smart_resize and crop_to_aspect_ratio): ((top, left), (rows, cols))."""
    rows = builtin_max(min(height, int(float(width * target_height) / target_width)), 1)
    cols = builtin_max(min(width, int(float(height * target_width) / target_height)), 1)
    return (int(float(height - rows) / 2), int(float(width - cols) / 2)), (rows, cols)


def static_hw(who, shape, axes):
    """The input's height and width, which these layers need known while tracing."""
    hw = [shape[a] for a in axes]
    if None in hw:
        raise ValueError(f"{who} needs the input's height and width known while tracing, got input shape "
                         f"{tuple(shape)}")
    return int(hw[0]), int(hw[1])


def per_image_uniform(images, minval, maxval, seed):
    """One uniform draw in [minval, maxval) per image: shape (N, 1, 1, 1) for a batch, (1, 1, 1)
    for one image; new numbers every run (the batch size may be dynamic)."""
    rank = len(images.shape)
    like = ops.slice(images, [0] * rank, [None] + [1] * (rank - 1)) if rank == 4 else \
        ops.slice(images, [0] * rank, [1] * rank)
    return ops.uniform_like(like, minval, maxval, seed=seed)
