"""Cropping1D: drops steps from the start and end of a sequence."""

from .base_cropping import BaseCropping


class Cropping1D(BaseCropping):
    """Crops a sequence (batch, steps, features) along its steps axis.

    Args:
        cropping: int (the same at both ends) or (start, end); default (1, 1).

    Example: `Cropping1D((1, 2))` on (N, 6, 3) gives (N, 3, 3).
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(1, cropping, data_format="channels_last", **kwargs)

    def get_config(self):
        config = {**super().get_config(), "cropping": self.cropping[0]}
        del config["data_format"]
        return config
