"""Common-subexpression elimination."""

import numpy as np

from ..opdef import OPS


def _key(node):
    def ref(v):
        if v is None:
            return None
        if v.const is not None and v.const.size <= 16:
            return ("c", v.const.dtype.str, v.const.shape, v.const.tobytes())
        return id(v)

    def attr(a):  # arrays keep their dtype in the key: a fill of int32 1 is not one of int64 1
        return (a.dtype.str, a.shape, a.tobytes()) if isinstance(a, np.ndarray) else repr(a)

    attrs = tuple(sorted((k, attr(a)) for k, a in node.attrs.items()))
    return node.op_type, tuple(ref(v) for v in node.inputs), attrs


def eliminate_common_subexpressions(graph):
    """Two nodes with the same op, inputs and attributes -> one node."""
    seen, changed = {}, False
    for node in graph.nodes():
        if not OPS[node.op_type].deterministic:
            continue
        key = _key(node)
        first = seen.setdefault(key, node)
        if first is node:
            continue
        for mine, theirs in zip(node.outputs, first.outputs):
            graph.replace_uses(mine, theirs)
        graph.remove(node)
        changed = True
    return graph, changed
