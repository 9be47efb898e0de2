"""Data sets shipped inside horn (no download needed)."""

from . import digits

__all__ = ["digits"]
