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

    # Keras 3's arithmetic on symbolic tensors: each is an op call (ops.py, layers/op_layer.py).
    def __add__(self, o): return _ops().add(self, o)
    def __radd__(self, o): return _ops().add(o, self)
    def __sub__(self, o): return _ops().subtract(self, o)
    def __rsub__(self, o): return _ops().subtract(o, self)
    def __mul__(self, o): return _ops().multiply(self, o)
    def __rmul__(self, o): return _ops().multiply(o, self)
    def __truediv__(self, o): return _ops().divide(self, o)
    def __rtruediv__(self, o): return _ops().divide(o, self)
    def __matmul__(self, o): return _ops().matmul(self, o)
    def __rmatmul__(self, o): return _ops().matmul(o, self)
    def __pow__(self, o): return _ops().power(self, o)
    def __neg__(self): return _ops().negative(self)


def _ops():
    from .. import ops

    return ops


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
