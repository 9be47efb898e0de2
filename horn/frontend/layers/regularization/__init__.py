"""Regularization layers: spatial (channel-wise) dropout."""

from .spatial_dropout1d import SpatialDropout1D
from .spatial_dropout2d import SpatialDropout2D
from .spatial_dropout3d import SpatialDropout3D

__all__ = ["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]
