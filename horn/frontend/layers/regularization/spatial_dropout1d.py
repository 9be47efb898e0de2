"""SpatialDropout1D: dropout of whole channels of (batch, steps, channels)."""

from .base_spatial_dropout import BaseSpatialDropout


class SpatialDropout1D(BaseSpatialDropout):
    """Drops entire channels while training (one mask of shape (batch, 1, channels) in
    channels_last), which regularizes better than element dropout when neighbouring positions
    are strongly correlated, as after convolutions.

    Args: rate, seed (see BaseSpatialDropout).

    Example: `SpatialDropout1D(0.2)` after a convolution; at inference it passes its input through.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(1, rate, data_format="channels_last", seed=seed, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]  # Keras's SpatialDropout1D is channels_last only
        return config
