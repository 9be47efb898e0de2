"""SpatialDropout2D: dropout of whole channels of (batch, rows, cols, channels)."""

from .base_spatial_dropout import BaseSpatialDropout


class SpatialDropout2D(BaseSpatialDropout):
    """Drops entire channels while training (one mask of shape (batch, 1, 1, channels) in
    channels_last), which regularizes better than element dropout when neighbouring positions
    are strongly correlated, as after convolutions.

    Args: rate, data_format, seed (see BaseSpatialDropout).

    Example: `SpatialDropout2D(0.2)` after a convolution; at inference it passes its input through.
    """

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(2, rate, data_format=data_format, seed=seed, **kwargs)
