"""Graph-to-graph passes and the manager that runs them to a fixpoint."""

from .device import DEVICE_PASSES
from .manager import DEFAULT_PASSES, optimize

__all__ = ["DEFAULT_PASSES", "DEVICE_PASSES", "optimize"]
