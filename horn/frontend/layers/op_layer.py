"""A keras.ops function applied to symbolic tensors of the functional API.

Keras 3 lets a functional model call `keras.ops.*` (and +, *, ...) on its symbolic tensors
and records each call as a graph operation; horn records it as this layer's call, so the
model predicts, trains and exports as if the op were written inside a layer."""

import numpy as np

from .. import naming, tracing
from .layer import Layer


class OpLayer(Layer):
    """One op function as a layer: calling it on traced values calls the function."""

    def __init__(self, function, **kwargs):
        super().__init__(name=kwargs.pop("name", None) or naming.unique_name(function.__name__), **kwargs)
        self.function = function

    def __call__(self, *args, **kwargs):
        if args and isinstance(args[0], (int, float)) and not isinstance(args[0], bool):
            # A number first (1.0 - x): a constant of the tensors' dtype, so that it has a shape
            dtype = next(t.dtype for t in tracing.flatten((args, kwargs)) if hasattr(t, "_keras_history"))
            args = (np.asarray(args[0], dtype),) + args[1:]
        return super().__call__(*args, **kwargs)

    def call(self, *args, training=None, mask=None, **kwargs):
        return self.function(*args, **kwargs)

    def get_config(self):
        raise ValueError(f"Layer '{self.name}' is keras.ops.{self.function.__name__} applied to a symbolic tensor "
                         "in the functional API; horn cannot write such an op into a Keras file yet (Keras 3 "
                         "saves each op as its own class). Wrap the computation in a Lambda layer to save the "
                         "model, or export it to ONNX with model.export().")
