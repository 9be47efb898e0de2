"""BaseUpSampling: what UpSampling1D/2D/3D share."""

from ... import ops
from ..convolutional import conv_utils as cu
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format
from .spatial_args import spatial_axes


class BaseUpSampling(Layer):
    """Repeats each element `size` times along each spatial axis ('nearest'), or, for 2-D,
    interpolates bilinearly with half-pixel centres as Keras (TensorFlow) does.

    Args:
        rank: number of spatial axes (set by the subclass).
        size: int or tuple of `rank` positive ints: the upsampling factors.
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
        interpolation: 'nearest' or (UpSampling2D) 'bilinear'.
    """

    def __init__(self, rank, size, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        who = type(self).__name__
        self.rank = rank
        self.size = cu.standardize_tuple(size, rank, "size", who)
        self.data_format = normalize_data_format(data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"{who}: `interpolation` must be 'nearest' or 'bilinear', got {interpolation!r}")
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        return ops.upsample(inputs, self.size, self.interpolation, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, s in zip(spatial_axes(self.rank, self.data_format), self.size):
            shape[axis] = None if shape[axis] is None else shape[axis] * s
        return tuple(shape)
