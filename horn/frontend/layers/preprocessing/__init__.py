"""Preprocessing layers that compute with plain ops (Keras 3's keras.layers.Rescaling)."""

from .rescaling import Rescaling

__all__ = ["Rescaling"]
