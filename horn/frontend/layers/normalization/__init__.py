"""Normalization layers."""

from .layer_normalization import LayerNormalization

__all__ = ["LayerNormalization"]
