"""Permute: reorders the non-batch axes of its input."""

import numbers

from ... import ops
from ..input_spec import InputSpec
from ..layer import Layer


class Permute(Layer):
    """Permutes the non-batch axes of the input by a pattern counted from 1 (axis 0 is the batch).

    Args:
        dims: a permutation of 1..rank, rank being the number of non-batch axes; (2, 1) swaps
            the two axes of a (batch, steps, features) input.

    Shapes: (batch, d1, ..., dn) -> (batch, d[dims[0]], ..., d[dims[n-1]]).

    Example: `Permute((2, 1))` on (None, 10, 64) gives (None, 64, 10).
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        try:
            dims = tuple(dims)
        except TypeError:
            raise TypeError(f"Permute(dims=...) must be a tuple of axis numbers counted from 1, "
                            f"got {dims!r}") from None
        if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in dims):
            raise TypeError(f"Permute(dims=...) must hold integers (axes counted from 1), got {dims!r}")
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(f"Permute(dims=...) must be a permutation of 1..{len(dims)} (the batch axis 0 "
                             f"is never moved, so axes count from 1), got dims={dims}")
        self.dims = tuple(int(d) for d in dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
