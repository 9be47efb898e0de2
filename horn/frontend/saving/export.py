"""model.export(): the inference program as a standard, self-contained ONNX file."""

import numpy as np
import onnx

from .. import programs
from .atomic import atomic_path


def export_onnx(model, filepath, input_signature=None):
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built, so there is nothing to export yet: "
                         "build it (or fit/predict once) first.")
    if input_signature is not None:
        specs = [(tuple(s.shape), np.dtype(getattr(s, "dtype", "float32"))) for s in input_signature]
    else:
        specs = [(t.shape, t.dtype) for t in model.inputs]
    specs = [((None,) + tuple(shape[1:]), dtype) for shape, dtype in specs]
    proto = programs.compile_graph(programs.predict_graph(model, specs))
    proto.doc_string = f"horn model '{model.name}': inference program"
    onnx.checker.check_model(proto, full_check=True)
    with atomic_path(filepath) as tmp:
        onnx.save_model(proto, tmp)
    return proto
