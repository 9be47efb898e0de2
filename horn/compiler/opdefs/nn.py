"""Dropout and OneHot."""

import numpy as np

from ..opdef import defop, op
from .elementwise import NUMPY_TO_ONNX


def _dropout_rule(ins, attrs):
    return [(ins[0].shape, ins[0].dtype), (ins[0].shape, np.bool_)]


def _dropout_ref(x, ratio=None, training_mode=None, seed=None):
    rate = 0.5 if ratio is None else float(ratio)
    if training_mode is None or not bool(training_mode) or rate == 0:
        return x.copy(), np.ones(x.shape, np.bool_)
    mask = np.random.default_rng(seed).random(x.shape) >= rate
    return (x * mask / (1 - rate)).astype(x.dtype), mask


def _dropout_grad(n, g):
    ratio = n.inputs[1]
    if ratio is None or ratio.const is None:
        raise NotImplementedError("the gradient of Dropout with a ratio computed at run time")
    scale = 1.0 / (1.0 - float(ratio.const))
    keep = op.Cast(n.outputs[1], to=NUMPY_TO_ONNX[n.out.dtype])
    return [op.Mul(g[0], op.Mul(keep, scale)), None, None]


defop("Dropout", _dropout_rule, _dropout_ref, _dropout_grad, deterministic=False)


def _one_hot_rule(ins, attrs):
    depth = ins[1].const
    if depth is None:
        raise ValueError("OneHot needs a depth known while tracing")
    shape = list(ins[0].shape)
    axis = attrs["axis"]
    shape.insert(axis % (len(shape) + 1), int(np.asarray(depth).reshape(-1)[0]))
    return [(tuple(shape), ins[2].dtype)]


def _one_hot_ref(indices, depth, values, axis=-1):
    depth = int(np.asarray(depth).reshape(-1)[0])
    idx = np.where(indices < 0, indices + depth, indices).astype(np.int64)
    hot = np.arange(depth) == idx[..., None]
    out = np.where(hot, values[1], values[0]).astype(values.dtype)
    return np.moveaxis(out, -1, axis)


defop("OneHot", _one_hot_rule, _one_hot_ref, lambda n, g: [None, None, None], defaults=dict(axis=-1))
