"""Keras 2's `K.*` names over horn.ops (the ones custom layers commonly use)."""

import numpy as np

from . import naming, ops
from .config import epsilon, floatx, image_data_format, set_epsilon, set_floatx, set_image_data_format

dot = ops.matmul
exp, log, sqrt, square, abs, sign = ops.exp, ops.log, ops.sqrt, ops.square, ops.abs, ops.sign  # noqa: A001
relu, sigmoid, tanh, softplus, softsign, elu = ops.relu, ops.sigmoid, ops.tanh, ops.softplus, ops.softsign, ops.elu
maximum, minimum, clip, cast, reshape = ops.maximum, ops.minimum, ops.clip, ops.cast, ops.reshape
concatenate, expand_dims, squeeze, transpose = ops.concatenate, ops.expand_dims, ops.squeeze, ops.transpose
equal, greater, less, argmax, argmin = ops.equal, ops.greater, ops.less, ops.argmax, ops.argmin
sum, mean, max, min = ops.sum, ops.mean, ops.max, ops.min  # noqa: A001


def softmax(x, axis=-1):
    return ops.softmax(x, axis)


def int_shape(x):
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def permute_dimensions(x, pattern):
    return ops.transpose(x, pattern)


def batch_flatten(x):
    return ops.reshape(x, (None, int(np.prod(x.shape[1:]))))


def bias_add(x, bias):
    return ops.add(x, bias)


def clear_session():
    naming.reset()


def backend():
    return "onnxruntime"


__all__ = ["backend", "clear_session", "epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format"]
