"""Layers that wrap another layer: TimeDistributed, Bidirectional."""

from .bidirectional import Bidirectional
from .time_distributed import TimeDistributed

__all__ = ["Bidirectional", "TimeDistributed"]
