"""Running compiled programs on ONNX Runtime; the only part of horn that imports it.

`horn.runtime.load(path)` runs an exported model with nothing but numpy and onnxruntime.
"""

from .program import BoundProgram, Program
from .providers import device, set_device, set_num_threads
from .standalone import ExportedModel, load

__all__ = ["BoundProgram", "ExportedModel", "Program", "device", "load", "set_device",
           "set_num_threads"]
