"""Load an exported horn model and run it with nothing but numpy and onnxruntime."""

import os

import numpy as np

from .program import Program


class ExportedModel:
    """An exported ONNX model: `predict(x)` like horn's, in batches over a dynamic batch axis."""

    def __init__(self, path):
        if not os.path.exists(path):
            raise FileNotFoundError(f"no exported model at {path!r}")
        with open(path, "rb") as f:
            self.program = Program(f.read())
        self.inputs = self.program.session.get_inputs()
        self.input_names = [i.name for i in self.inputs]
        self.output_names = self.program.output_names

    def predict(self, x, batch_size=32):
        """Outputs for x (an array, or a list/dict of arrays for several inputs)."""
        xs = [x[n] for n in self.input_names] if isinstance(x, dict) else \
            list(x) if isinstance(x, (list, tuple)) else [x]
        if len(xs) != len(self.input_names):
            raise ValueError(f"this model takes {len(self.input_names)} inputs "
                             f"{self.input_names}, got {len(xs)}")
        xs = [np.asarray(a, dtype=_np_type(i.type)) for a, i in zip(xs, self.inputs)]
        n = len(xs[0])
        chunks = [self.program(*[a[s:s + batch_size] for a in xs]) for s in range(0, n, batch_size)]
        outs = [np.concatenate([c[k] for c in chunks]) for k in range(len(self.output_names))]
        return outs[0] if len(outs) == 1 else outs

    __call__ = predict


_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(int64)": np.int64,
          "tensor(int32)": np.int32, "tensor(bool)": np.bool_, "tensor(uint8)": np.uint8}


def _np_type(onnx_type):
    return _TYPES.get(onnx_type, np.float32)


def load(path):
    """Load a model written by `model.export(path)`; returns an ExportedModel."""
    return ExportedModel(path)
