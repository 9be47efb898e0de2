"""Data sets shipped inside horn (no download needed)."""

from . import digits, mnist

__all__ = ["digits", "mnist"]
