"""Where programs run (the CPU, or CUDA when onnxruntime-gpu sees a GPU) and with how many threads."""

import os

import onnxruntime as ort

_settings = {"device": os.environ.get("HORN_DEVICE"), "threads": int(os.environ.get("HORN_NUM_THREADS", 0))}


def device():
    """'cuda' when onnxruntime-gpu and a GPU are present (unless set_device('cpu')), else 'cpu'."""
    if _settings["device"] is None:
        _settings["device"] = "cuda" if "CUDAExecutionProvider" in ort.get_available_providers() else "cpu"
    return _settings["device"]


def set_device(name):
    """Run every program compiled from now on on `name` ('cpu' or 'cuda')."""
    if name not in ("cpu", "cuda"):
        raise ValueError(f"set_device() takes 'cpu' or 'cuda', got {name!r}")
    if name == "cuda" and "CUDAExecutionProvider" not in ort.get_available_providers():
        raise ValueError("set_device('cuda') needs onnxruntime-gpu and a visible GPU; "
                         f"this onnxruntime offers {ort.get_available_providers()}")
    _settings["device"] = name


def set_num_threads(n):
    """Use n compute threads in programs compiled from now on (0: onnxruntime's default)."""
    _settings["threads"] = int(n)


def providers():
    if device() == "cuda":
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def session_options():
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    if _settings["threads"]:
        so.intra_op_num_threads = _settings["threads"]
        so.inter_op_num_threads = 1
    return so
