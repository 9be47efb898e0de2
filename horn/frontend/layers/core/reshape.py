"""Reshape: gives the non-batch axes a new shape (one -1 is inferred)."""

import numpy as np

from ... import ops
from ..layer import Layer


class Reshape(Layer):
    """Reshape(target_shape): (batch, ...) -> (batch,) + target_shape."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(d < -1 or d == 0 for d in self.target_shape):
            raise ValueError(f"Reshape target_shape must be positive sizes with at most one -1, "
                             f"got {target_shape}")

    def compute_output_shape(self, input_shape):
        known = int(np.prod(input_shape[1:]))
        target = list(self.target_shape)
        if -1 in target:
            rest = int(np.prod([d for d in target if d != -1]))
            if known % rest:
                raise ValueError(f"Layer '{self.name}' cannot reshape input shape {tuple(input_shape)} "
                                 f"into target shape {self.target_shape}")
            target[target.index(-1)] = known // rest
        elif int(np.prod(target)) != known:
            raise ValueError(f"Layer '{self.name}' cannot reshape input shape {tuple(input_shape)} "
                             f"({known} values per sample) into target shape {self.target_shape} "
                             f"({int(np.prod(target))} values)")
        return (input_shape[0],) + tuple(target)

    def call(self, inputs):
        return ops.reshape(inputs, self.compute_output_shape(inputs.shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
