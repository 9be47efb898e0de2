"""ZeroPadding1D: zeros before and after the steps axis."""

from .base_zero_padding import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    """Zero-padding of a sequence along its steps axis.

    Args:
        padding: int (the same before and after) or (before, after); default 1.
        data_format: 'channels_last' ((batch, steps, features), the default from keras.config)
            or 'channels_first' ((batch, features, steps)), as in Keras 3.

    Example: `ZeroPadding1D((1, 2))` on (N, 5, 3) gives (N, 8, 3).
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(1, padding, data_format=data_format, **kwargs)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding[0]}
