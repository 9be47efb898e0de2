"""Symbolic tensors of the functional API and the layer-call nodes that connect them."""

import numpy as np


class KerasTensor:
    """A placeholder flowing between layer calls: a shape (None for the batch axis) and a dtype."""

    def __init__(self, shape, dtype="float32", name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.name = name
        self._keras_history = None  # (layer, node_index, tensor_index)

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


class CallNode:
    """One call of a layer in the layer graph: its inputs, extra arguments and outputs."""

    def __init__(self, layer, inputs, args, kwargs, outputs):
        from ..tracing import flatten

        self.layer = layer
        self.inputs, self.args, self.kwargs, self.outputs = inputs, args, kwargs, outputs
        self.input_tensors = [t for t in flatten((inputs, args, kwargs)) if isinstance(t, KerasTensor)]
        self.output_tensors = flatten(outputs)

    @property
    def parents(self):
        return [t._keras_history for t in self.input_tensors if t._keras_history is not None]
