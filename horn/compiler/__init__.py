"""The compiler: op graph IR, op definitions, autodiff, passes and ONNX emission."""

from . import opdefs  # noqa: F401  (registers every op)
from .autodiff import gradients
from .emit import OPSET, to_onnx
from .ir import Graph, Node, Value, apply, current_graph
from .opdef import OPS, OpDef, op
from .passes import optimize

__all__ = ["OPS", "OPSET", "Graph", "Node", "OpDef", "Value", "apply", "current_graph",
           "gradients", "op", "optimize", "to_onnx"]
