"""Weight penalties added to the training loss (Keras's L1, L2, L1L2)."""

from . import ops
from .registry import Registry

_registry = Registry("regularizer")


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@_registry.register("L1L2", "l1_l2")
class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        total = 0.0
        if self.l1:
            total = ops.multiply(self.l1, ops.sum(ops.abs(x)))
        if self.l2:
            penalty = ops.multiply(self.l2, ops.sum(ops.square(x)))
            total = penalty if isinstance(total, float) else ops.add(total, penalty)
        return total

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@_registry.register("L1", "l1")
class L1(L1L2):
    def __init__(self, l1=0.01, l=None):  # noqa: E741  (Keras 2 spelled it l)
        super().__init__(l1=l if l is not None else l1)

    def get_config(self):
        return {"l1": self.l1}


@_registry.register("L2", "l2")
class L2(L1L2):
    def __init__(self, l2=0.01, l=None):  # noqa: E741
        super().__init__(l2=l if l is not None else l2)

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


l1, l2 = L1, L2  # Keras's lower-case names


def get(identifier):
    if identifier is None or isinstance(identifier, Regularizer) or callable(identifier) and \
            not isinstance(identifier, (str, dict)):
        return identifier
    if isinstance(identifier, str):
        return _registry.lookup(identifier)()
    if isinstance(identifier, dict):
        return _registry.lookup(identifier["class_name"]).from_config(identifier.get("config", {}))
    raise TypeError(f"Could not interpret regularizer identifier: {identifier!r}")


def serialize(regularizer):
    """{'class_name', 'config'} for a Regularizer; names and dicts as they are; None stays None."""
    if regularizer is None or isinstance(regularizer, (str, dict)):
        return regularizer
    if isinstance(regularizer, Regularizer):
        return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
    return getattr(regularizer, "__name__", None)
