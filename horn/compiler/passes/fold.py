"""Constant folding."""

import numpy as np

from ..opdef import OPS

# Folding a big op would bloat the file with its result: leave those to the runtime.
MAX_FOLDED_ELEMENTS = 1 << 20


def fold_constants(graph):
    """Op(const, const, ...) -> const, evaluated with the op's numpy reference;
    Shape/Size of a fully static tensor -> const."""
    changed = False
    for node in graph.nodes():
        opdef = OPS[node.op_type]
        if node.op_type in ("Shape", "Size") and None not in node.inputs[0].shape:
            # The value of a fully static shape is known without its input's data.
            value = opdef.reference(np.empty(node.inputs[0].shape, np.bool_), **node.attrs)
            graph.replace_uses(node.out, graph.constant(value, name=node.out.name))
            graph.remove(node)
            changed = True
            continue
        if not opdef.deterministic or any(v is not None and v.const is None for v in node.inputs):
            continue
        if sum(int(np.prod(o.shape)) for o in node.outputs if None not in o.shape) > MAX_FOLDED_ELEMENTS:
            continue
        results = opdef.reference(*[None if v is None else v.const for v in node.inputs], **node.attrs)
        results = results if isinstance(results, tuple) else (results,)
        for out, value in zip(node.outputs, results):
            value = np.asarray(value).astype(out.dtype, copy=False)
            graph.replace_uses(out, graph.constant(value, name=out.name))
        graph.remove(node)
        changed = True
    return graph, changed
