"""Weight constraints, applied to a parameter after each optimizer step (Keras's formulas)."""

from . import ops
from .config import epsilon
from .registry import Registry

_registry = Registry("constraint")


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _norms(w, axis):
    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


@_registry.register("MaxNorm", "max_norm", "maxnorm")
class MaxNorm(Constraint):
    """Rescales each slice along `axis` whose L2 norm exceeds max_value down to max_value."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0.0, float(self.max_value))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, epsilon())))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@_registry.register("NonNeg", "non_neg", "nonneg")
class NonNeg(Constraint):
    """Zeroes the negative weights."""

    def __call__(self, w):
        return ops.multiply(w, ops.cast(ops.greater_equal(w, 0.0), w.dtype.name))


@_registry.register("UnitNorm", "unit_norm", "unitnorm")
class UnitNorm(Constraint):
    """Scales each slice along `axis` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return ops.divide(w, ops.add(_norms(w, self.axis), epsilon()))

    def get_config(self):
        return {"axis": self.axis}


@_registry.register("MinMaxNorm", "min_max_norm")
class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm into [min_value, max_value], at `rate` (1 = all the way)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = ops.clip(norms, float(self.min_value), float(self.max_value))
        desired = ops.add(ops.multiply(clipped, float(self.rate)), ops.multiply(norms, 1.0 - self.rate))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, epsilon())))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm


def get(identifier):
    """A constraint from None, a name, a {'class_name', 'config'} dict, or a callable."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return _registry.lookup(identifier)()
    if isinstance(identifier, dict):
        return _registry.lookup(identifier["class_name"]).from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret constraint identifier: {identifier!r}")


def serialize(constraint):
    if constraint is None or isinstance(constraint, (str, dict)):
        return constraint
    if isinstance(constraint, Constraint):
        return {"class_name": type(constraint).__name__, "config": constraint.get_config()}
    return getattr(constraint, "__name__", None)


__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "get", "max_norm", "min_max_norm",
           "non_neg", "serialize", "unit_norm"]
