"""BaseCropping: what Cropping1D/2D/3D share."""

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format
from .spatial_args import spatial_axes, standardize_pairs


class BaseCropping(Layer):
    """Removes rows (columns, ...) from the start and end of each spatial axis.

    Args:
        rank: number of spatial axes (set by the subclass).
        cropping: an int, `rank` ints (symmetric per axis), or `rank` (before, after) pairs.
        data_format: 'channels_last' (default, from keras.config) or 'channels_first'.
    """

    def __init__(self, rank, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.cropping = standardize_pairs(cropping, rank, "cropping", type(self).__name__, "cropping")
        self.data_format = normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        self.compute_output_shape(inputs.shape)  # cropping too much fails here, by name
        return ops.crop(inputs, self.cropping, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for i, (axis, (a, b)) in enumerate(zip(spatial_axes(self.rank, self.data_format), self.cropping)):
            n = shape[axis]
            if n is None:
                raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) needs the spatial sizes of its input "
                                 f"to be known, got input shape {tuple(input_shape)}")
            if a + b >= n:
                raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) cannot crop {a} + {b} from spatial "
                                 f"axis {i} of size {n} (input shape {tuple(input_shape)}): the cropping must "
                                 f"leave at least one element. Got cropping={self.cropping}.")
            shape[axis] = n - a - b
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
