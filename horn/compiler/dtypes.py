"""numpy dtypes and the ONNX element types horn emits for them."""

import numpy as np

_TO_ONNX = {np.dtype(np.float32): 1, np.dtype(np.uint8): 2, np.dtype(np.int8): 3, np.dtype(np.int16): 5,
            np.dtype(np.int32): 6, np.dtype(np.int64): 7, np.dtype(np.bool_): 9,
            np.dtype(np.float16): 10, np.dtype(np.float64): 11}


NUMPY_TO_ONNX = dict(_TO_ONNX)
ONNX_TO_NUMPY = {v: k.type for k, v in _TO_ONNX.items()}


def onnx_type(dtype):
    """The ONNX TensorProto element type for a numpy dtype (or its name)."""
    dt = np.dtype(dtype)
    if dt not in _TO_ONNX:
        raise TypeError(f"horn cannot emit tensors of dtype {dt}")
    return _TO_ONNX[dt]
