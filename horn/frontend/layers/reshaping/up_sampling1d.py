"""UpSampling1D: repeats each step `size` times."""

from .base_up_sampling import BaseUpSampling


class UpSampling1D(BaseUpSampling):
    """Repeats each step of a sequence (batch, steps, features) `size` times.

    Args:
        size: positive int, default 2.

    Example: `UpSampling1D(3)` on (N, 4, 2) gives (N, 12, 2); steps may be unknown (None).
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(1, size, data_format="channels_last", **kwargs)

    def get_config(self):
        return {**super().get_config(), "size": self.size[0]}
