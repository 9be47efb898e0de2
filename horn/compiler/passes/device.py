"""Rewrites for where a program runs: forms that are fastest on onnxruntime's CPU EP but have no
kernel on its CUDA EP get their portable equivalent there (a missing kernel would run on the
CPU, with the tensors copied over and back on every step)."""

import numpy as np

from ..ir import apply


def _scattered(node):
    """MaxUnpool(x, indices, shape) as ScatterND into zeros: the same values (MaxPool's gradient
    emits MaxUnpool only where the indices are distinct)."""
    x, indices, shape = node.inputs
    flat = np.array([-1], np.int64)
    zeros = apply("Reshape", apply("ConstantOfShape", shape, value=np.zeros(1, x.dtype)), flat)
    placed = apply("ScatterND", zeros, apply("Reshape", indices, np.array([-1, 1], np.int64)),
                   apply("Reshape", x, flat))
    return apply("Reshape", placed, shape)


def for_cuda(graph):
    """Replace the ops onnxruntime's CUDA EP lacks (MaxUnpool) with portable forms. (Loop
    bodies are left as they are: no layer pools inside a recurrence's step.)"""
    changed = False
    for node in graph.nodes():
        if node.op_type == "MaxUnpool" and len(node.inputs) == 3 and node.inputs[2] is not None:
            with graph.building():
                graph.replace_uses(node.out, _scattered(node))
            graph.remove(node)
            changed = True
    return graph, changed


DEVICE_PASSES = {"cpu": (), "cuda": (for_cuda,)}
