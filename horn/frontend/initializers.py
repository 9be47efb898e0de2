"""Weight initializers (Keras names, defaults and formulas), drawn with numpy on the host."""

import math

import numpy as np

from .registry import Registry

_registry = Registry("initializer")
_rng = np.random.default_rng()


def set_random_seed(seed):
    """Seed horn's host random numbers (initializers, shuffling)."""
    global _rng, _seeded
    _rng = np.random.default_rng(seed)
    _seeded = True
    np.random.seed(seed)


def host_rng():
    """The generator behind initializers, shuffling and dropout seeds (see set_random_seed)."""
    return _rng


def seeded():
    return _seeded


_seeded = False


def _fans(shape):
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    def __call__(self, shape, dtype="float32"):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _gen(self):
        seed = getattr(self, "seed", None)
        return np.random.default_rng(seed) if seed is not None else _rng


@_registry.register("Zeros", "zeros", "zero")
class Zeros(Initializer):
    def __call__(self, shape, dtype="float32"):
        return np.zeros(shape, dtype)


@_registry.register("Ones", "ones", "one")
class Ones(Initializer):
    def __call__(self, shape, dtype="float32"):
        return np.ones(shape, dtype)


@_registry.register("Constant", "constant")
class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype="float32"):
        return np.full(shape, self.value, dtype)

    def get_config(self):
        return {"value": self.value}


@_registry.register("RandomUniform", "random_uniform", "uniform")
class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype="float32"):
        return self._gen().uniform(self.minval, self.maxval, shape).astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


@_registry.register("RandomNormal", "random_normal", "normal")
class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype="float32"):
        return self._gen().normal(self.mean, self.stddev, shape).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _truncated(gen, stddev, shape):
    """Normal samples redrawn until they lie within two standard deviations."""
    out = gen.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = gen.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


@_registry.register("TruncatedNormal", "truncated_normal")
class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype="float32"):
        return (self.mean + _truncated(self._gen(), self.stddev, shape)).astype(dtype)


@_registry.register("VarianceScaling", "variance_scaling")
class VarianceScaling(Initializer):
    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):  # Keras 3 configs carry the axes (for EinsumDense)
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        distribution = {"normal": "truncated_normal"}.get(distribution, distribution)
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling distribution {distribution!r} is not known")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype="float32"):
        fan_in, fan_out = _fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        scale = self.scale / max(1.0, fan)
        gen = self._gen()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * scale)
            return gen.uniform(-limit, limit, shape).astype(dtype)
        if self.distribution == "truncated_normal":
            return _truncated(gen, math.sqrt(scale) / 0.87962566103423978, shape).astype(dtype)
        return gen.normal(0.0, math.sqrt(scale), shape).astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _variant(names, scale, mode, distribution):
    class _V(VarianceScaling):
        def __init__(self, seed=None, input_axes=None, output_axes=None):
            super().__init__(scale, mode, distribution, seed)

        def get_config(self):
            return {"seed": self.seed}

    _V.__name__ = _V.__qualname__ = names[0]
    return _registry.register(*names)(_V)


GlorotUniform = _variant(("GlorotUniform", "glorot_uniform"), 1.0, "fan_avg", "uniform")
GlorotNormal = _variant(("GlorotNormal", "glorot_normal"), 1.0, "fan_avg", "truncated_normal")
HeUniform = _variant(("HeUniform", "he_uniform"), 2.0, "fan_in", "uniform")
HeNormal = _variant(("HeNormal", "he_normal"), 2.0, "fan_in", "truncated_normal")
LecunUniform = _variant(("LecunUniform", "lecun_uniform"), 1.0, "fan_in", "uniform")
LecunNormal = _variant(("LecunNormal", "lecun_normal"), 1.0, "fan_in", "truncated_normal")


@_registry.register("Orthogonal", "orthogonal")
class Orthogonal(Initializer):
    def __init__(self, gain=1.0, seed=None):
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype="float32"):
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._gen().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


@_registry.register("Identity", "identity")
class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype="float32"):
        if len(shape) != 2:
            raise ValueError(f"Identity initializer needs a 2-D shape, got {shape}")
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return _registry.lookup(identifier)()
    if isinstance(identifier, dict):
        return _registry.lookup(identifier["class_name"]).from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret initializer identifier: {identifier!r}")


def serialize(init):
    return {"class_name": type(init).__name__, "config": init.get_config()}
