"""Preprocessing layers that compute with plain ops (Keras 3's Rescaling, Normalization)."""

from .normalization import Normalization
from .rescaling import Rescaling

__all__ = ["Normalization", "Rescaling"]
