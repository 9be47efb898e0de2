"""RandomUniformLike, RandomNormalLike: random numbers shaped like a tensor (its dynamic axes included).

Not deterministic: never folded or merged by CSE, and their numpy references draw from numpy's
generator, not onnxruntime's. onnxruntime seeds a kernel's generator once (from `seed`, or at
random) and keeps drawing from it, so each run of a program gets new numbers, and a seeded
program repeats its sequence of draws from one session to the next. The input is only read for
its shape, so nothing flows back through it.
"""

import numpy as np

from ..dtypes import ONNX_TO_NUMPY
from ..opdef import defop, nograd


def _like_dtype(op_type, ins, attrs):
    dtype = ins[0].dtype if attrs.get("dtype") is None else np.dtype(ONNX_TO_NUMPY[attrs["dtype"]])
    if dtype.kind != "f":
        raise TypeError(f"{op_type} draws floats, got dtype {dtype}")
    return dtype


def _like_rule(ins, attrs):
    dtype = _like_dtype("RandomUniformLike", ins, attrs)
    if attrs["high"] < attrs["low"]:
        raise ValueError(f"RandomUniformLike needs low <= high, got low={attrs['low']}, high={attrs['high']}")
    return [(ins[0].shape, dtype)]


def _normal_like_rule(ins, attrs):
    dtype = _like_dtype("RandomNormalLike", ins, attrs)
    if not attrs["scale"] > 0:  # onnxruntime's kernel asserts scale > 0 and aborts the process on 0
        raise ValueError(f"RandomNormalLike needs scale (the standard deviation) > 0, got scale={attrs['scale']}")
    return [(ins[0].shape, dtype)]


def _uniform_like_ref(x, dtype=None, high=1.0, low=0.0, seed=None):
    out = x.dtype if dtype is None else ONNX_TO_NUMPY[dtype]
    rng = np.random.default_rng(None if seed is None else int(seed))
    return rng.uniform(low, high, x.shape).astype(out)


def _normal_like_ref(x, dtype=None, mean=0.0, scale=1.0, seed=None):
    out = x.dtype if dtype is None else ONNX_TO_NUMPY[dtype]
    rng = np.random.default_rng(None if seed is None else int(seed))
    return rng.normal(mean, scale, x.shape).astype(out)


defop("RandomUniformLike", _like_rule, _uniform_like_ref, nograd(1),
      defaults=dict(high=1.0, low=0.0), deterministic=False)
defop("RandomNormalLike", _normal_like_rule, _normal_like_ref, nograd(1),
      defaults=dict(mean=0.0, scale=1.0), deterministic=False)
