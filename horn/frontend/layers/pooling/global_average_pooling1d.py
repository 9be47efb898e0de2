"""GlobalAveragePooling1D: the mean over the steps, of the unmasked steps when a mask is given."""

from ... import ops
from .base_global_pooling import BaseGlobalPooling, reduce_mean


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean of each feature over the steps axis. With a mask (from Embedding(mask_zero=True) or
    Masking), the mean runs over the unmasked steps only, as in Keras; the output has no mask.

    Args: data_format ('channels_last': (batch, steps, features), or 'channels_first'),
    keepdims (keep the steps axis with size 1).

    Shapes (channels_last): (batch, steps, features) -> (batch, features).

    Example: `GlobalAveragePooling1D()(Embedding(1000, 16, mask_zero=True)(tokens))`.
    """

    _reduce = staticmethod(reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps = self.spatial_axes()
        weights = ops.expand_dims(ops.cast(mask, inputs.dtype), 2 if self.data_format == "channels_last" else 1)
        total = ops.sum(ops.multiply(inputs, weights), axis=steps, keepdims=self.keepdims)
        return ops.divide(total, ops.sum(weights, axis=steps, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        return None
