"""InputLayer and Input(): where a functional model's data enters."""

import numpy as np

from .keras_tensor import CallNode, KerasTensor
from .layer import Layer


class InputLayer(Layer):
    """The entry point of a model: holds the batch shape and dtype of one input."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None, sparse=None,
                 name=None, batch_input_shape=None, batch_shape=None, shape=None, **kwargs):
        kwargs.pop("ragged", None)
        super().__init__(name=name, dtype=None, **kwargs)
        shape = shape if shape is not None else input_shape
        if batch_shape is None:
            batch_shape = batch_input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError(f"InputLayer '{self.name}' needs a shape: pass shape=(...) or batch_shape=(...)")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self._batch_input_shape = tuple(batch_shape)
        self.dtype = np.dtype(dtype or "float32")
        self.built = True
        tensor = KerasTensor(self._batch_input_shape, self.dtype, name=self.name)
        node = CallNode(self, [], (), {}, tensor)
        node.input_tensors = []
        self._inbound_nodes.append(node)
        tensor._keras_history = (self, 0, 0)

    @property
    def batch_shape(self):
        return self._batch_input_shape

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype.name,
                "sparse": False, "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None,
          batch_shape=None, **kwargs):
    """A symbolic input: `x = Input(shape=(784,))` starts a functional model."""
    if shape is None and batch_shape is None:
        raise ValueError("Input() needs shape=(...) (without the batch axis) or batch_shape=(...)")
    layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                       batch_shape=batch_shape or kwargs.pop("batch_input_shape", None))
    return layer.output
