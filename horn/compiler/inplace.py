"""Which state updates may be written into the buffer their old value is read from.

A training step reads each parameter, slot and counter as a graph input and writes its next
value as a graph output. Binding that output onto the input's own buffer saves a buffer per
state and, for an embedding table's row-sparse update, the full copy a ScatterND makes of
its data (notes: onnxruntime's ScatterND copies nothing when its data input and output are
one buffer). onnxruntime orders nodes as it likes, so this is safe only for updates of one
shape: the next value is reached from the old one through a chain of nodes that each write
position i from position i of the previous link (element-wise ops; ScatterND, which copies
its data and replaces some rows), and every other node reading a link runs before the node
that overwrites it, because it is one of that node's ancestors (readers through a view of
the buffer, a Reshape's output, count as readers). Each link but the last is
then exposed as an extra graph output, bound onto the same buffer, so that onnxruntime
writes it there instead of into its own memory.
"""

from collections import Counter

import networkx as nx

from .opdef import ELEMENTWISE  # output element i reads element i of each full-shape input


def plan_inplace(graph, state_inputs, state_outputs):
    """For each (input, output) pair, the chain of values from the input (exclusive) to the
    output (inclusive) that may share the input's buffer, or None where that is unsafe.
    An output that is its input (a state the step passes through) has the empty chain."""
    counts = Counter(id(o) for o in graph.outputs)
    ancestors = {}
    plans = []
    for x, y in zip(state_inputs, state_outputs):
        if y is x:
            plans.append([])
            continue
        chain = _chain(graph, x, y)
        # an output read from the buffer as it was (x itself) or one that is a link of this
        # chain is emitted through an Identity the check below does not see
        if chain is None or id(x) in counts or counts[id(y)] > 1 or any(id(c) in counts for c in chain[:-1]):
            plans.append(None)
            continue
        plans.append(chain if _readers_run_first(graph, [x] + chain, ancestors) else None)
    return plans


def _chain(graph, x, y):
    """Values v1..vn = y, each written by its producer over the previous one (v0 = x) at the
    same shape and dtype; None when y cannot be reached from x that way."""
    dead = set()

    def back(v):
        if v is x:
            return []
        node = v.producer
        if node is None or id(v) in dead or not _static_shape(v):
            return None
        for pos in _overwritable_inputs(node):
            t = node.inputs[pos]
            if t is None or t.const is not None or t.shape != v.shape or t.dtype != v.dtype:
                continue
            path = back(t)
            if path is not None:
                return path + [v]
        dead.add(id(v))
        return None

    return back(y)


def _overwritable_inputs(node):
    if node.op_type in ELEMENTWISE and len(node.outputs) == 1:
        return range(len(node.inputs))
    if node.op_type == "ScatterND":
        return (0,)
    return ()


def _static_shape(v):
    return all(d is not None for d in v.shape)


def _readers_run_first(graph, links, ancestors):
    """Every node reading link k, other than the node writing link k + 1 over it, is an
    ancestor of that node; a ScatterND reads the link it overwrites only as its data."""
    for old, new in zip(links, links[1:]):
        writer = new.producer
        if writer.op_type == "ScatterND" and any(v is old for v in writer.inputs[1:]):
            return False
        if id(writer) not in ancestors:
            ancestors[id(writer)] = nx.ancestors(graph.nx, writer)
        if any(r is not writer and r not in ancestors[id(writer)] for r in _readers(graph, old)):
            return False
    return True


# Ops whose output onnxruntime may hand out as a view of their input's buffer (its kernels
# declare them aliases): whoever reads such an output reads the buffer itself.
_VIEWS = frozenset({"Reshape", "Squeeze", "Unsqueeze", "Flatten", "Identity"})


def _readers(graph, value):
    """The nodes that read value's buffer: its consumers and, through views of it, theirs.
    (A kernel reshaped for a MatMul and transposed for the input gradient: the Transpose reads
    the state's buffer through the Reshape, and must run before the update overwrites it.)"""
    found, todo = [], [value]
    while todo:
        v = todo.pop()
        for r in graph.consumers(v):
            found.append(r)
            if r.op_type in _VIEWS and r.inputs[0] is v:
                todo.extend(r.outputs)
    return found
