"""RandomUniformLike: random numbers shaped like a tensor (its dynamic axes included).

Not deterministic: never folded or merged by CSE, and its numpy reference draws from numpy's
generator, not onnxruntime's. onnxruntime seeds a kernel's generator once (from `seed`, or at
random) and keeps drawing from it, so each run of a program gets new numbers, and a seeded
program repeats its sequence of draws from one session to the next. The input is only read for
its shape, so nothing flows back through it.
"""

import numpy as np

from ..dtypes import ONNX_TO_NUMPY
from ..opdef import defop, nograd


def _like_rule(ins, attrs):
    dtype = ins[0].dtype if attrs.get("dtype") is None else np.dtype(ONNX_TO_NUMPY[attrs["dtype"]])
    if dtype.kind != "f":
        raise TypeError(f"RandomUniformLike draws floats, got dtype {dtype}")
    if attrs["high"] < attrs["low"]:
        raise ValueError(f"RandomUniformLike needs low <= high, got low={attrs['low']}, high={attrs['high']}")
    return [(ins[0].shape, dtype)]


def _uniform_like_ref(x, dtype=None, high=1.0, low=0.0, seed=None):
    out = x.dtype if dtype is None else ONNX_TO_NUMPY[dtype]
    rng = np.random.default_rng(None if seed is None else int(seed))
    return rng.uniform(low, high, x.shape).astype(out)


defop("RandomUniformLike", _like_rule, _uniform_like_ref, nograd(1),
      defaults=dict(high=1.0, low=0.0), deterministic=False)
