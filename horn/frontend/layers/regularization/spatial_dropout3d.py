"""SpatialDropout3D: dropout of whole channels of (batch, dim1, dim2, dim3, channels)."""

from .base_spatial_dropout import BaseSpatialDropout


class SpatialDropout3D(BaseSpatialDropout):
    """Drops entire channels while training (one mask of shape (batch, 1, 1, 1, channels) in
    channels_last), which regularizes better than element dropout when neighbouring positions
    are strongly correlated, as after convolutions.

    Args: rate, data_format, seed (see BaseSpatialDropout).

    Example: `SpatialDropout3D(0.2)` after a convolution; at inference it passes its input through.
    """

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(3, rate, data_format=data_format, seed=seed, **kwargs)
