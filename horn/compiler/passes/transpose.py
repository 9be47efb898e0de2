"""Moving Transposes down through element-wise ops until inverse pairs meet and cancel.

channels_last layers run ONNX's channels-first kernels between two Transposes (layout.py).
Between two such layers sit element-wise ops (an activation, a batch normalization's scale
and shift, and in the training program their gradients), which keep the Transposes apart:
`Transpose(Relu(Transpose(x, to_nhwc)), to_nchw)`. Sinking the first Transpose through the
Relu makes the pair adjacent, and the pair is the identity.
"""

import numpy as np

from ..ir import apply
from ..opdef import ELEMENTWISE, op


def _perm(node):
    return [int(p) for p in (node.attrs.get("perm") or reversed(range(node.out.ndim)))]


def _is_transpose(v):
    return v is not None and v.producer is not None and v.producer.op_type == "Transpose"


def _inverse(perm):
    return [int(i) for i in np.argsort(perm)]


def _inference_dropout(node):
    """Dropout with training_mode absent or a constant False is the identity (plus a mask)."""
    mode = node.inputs[2] if len(node.inputs) > 2 else None
    return mode is None or (mode.const is not None and not bool(np.asarray(mode.const).reshape(-1)[0]))


def _sinkable(graph, node):
    """The common perm of node's transposed inputs, if every other input is a constant or
    all ones in shape (so it broadcasts the same either way); else None."""
    perm, full = None, False
    rank = node.outputs[0].ndim
    for v in node.inputs:
        if v is None:
            continue
        if _is_transpose(v) and v.ndim == rank:
            p = _perm(v.producer)
            if perm is not None and p != perm:
                return None
            perm = p
            full |= v.shape == node.outputs[0].shape  # the Transpose moves no more data below
        elif v.ndim > rank or (v.const is None and any(d != 1 for d in v.shape)):
            return None
    return perm if full else None


def _moved_input(v, inverse, rank):
    """An input as it reads below the Transpose: the Transpose's input, or a permuted constant."""
    if _is_transpose(v):
        return v.producer.inputs[0]
    if v is None or all(d == 1 for d in v.shape):
        return v
    padded = v.const.reshape((1,) * (rank - v.ndim) + v.const.shape)
    return np.ascontiguousarray(np.transpose(padded, inverse))


def _worth_it(graph, node, perm):
    """Sinking never adds Transposes: one per used output, against the input Transposes left
    unused and the consumers that become inverse pairs."""
    inverse = _inverse(perm)
    dropped = {v.producer for v in node.inputs if _is_transpose(v) and v not in graph.outputs and
               all(u is node for u in graph.consumers(v))}
    gain, cost = len(dropped), 0
    for o in node.outputs:
        users = graph.consumers(o)
        if users and o not in graph.outputs and all(u.op_type == "Transpose" and _perm(u) == inverse
                                                    for u in users):
            gain += len(users)
        elif users or o in graph.outputs:
            cost += 1
    return gain > 0 and gain >= cost


def _sink(graph, node, perm):
    """Op(Transpose(x, p), c) -> Transpose(Op(x, c'), p), c' the constant permuted back."""
    rank, inverse = node.outputs[0].ndim, _inverse(perm)
    sources = [v.producer for v in node.inputs if _is_transpose(v)]
    with graph.building():
        moved = apply(node.op_type, *[_moved_input(v, inverse, rank) for v in node.inputs], **node.attrs)
        moved = moved if isinstance(moved, tuple) else (moved,)
        for old, new in zip(node.outputs, moved):
            if graph.consumers(old) or old in graph.outputs:
                graph.replace_uses(old, op.Transpose(new, perm=perm))
    graph.remove(node)
    for t in set(sources):
        if not graph.consumers(t.out) and t.out not in graph.outputs:
            graph.remove(t)


def _cancel(graph, node):
    """Transpose(Transpose(x, p), inverse of p) -> x; Transpose(x, identity) -> x."""
    x, perm = node.inputs[0], _perm(node)
    if _is_transpose(x):
        inner = x.producer
        if [_perm(inner)[i] for i in perm] == list(range(len(perm))):
            x = inner.inputs[0]
        else:
            return False
    elif perm != list(range(len(perm))):
        return False
    if x.shape != node.out.shape:
        return False
    graph.replace_uses(node.out, x)
    graph.remove(node)
    inner = node.inputs[0].producer
    if inner is not None and inner.op_type == "Transpose" and inner in graph.nx and \
            not graph.consumers(inner.out) and inner.out not in graph.outputs:
        graph.remove(inner)
    return True


def sink_transposes(graph):
    """Op(Transpose(x, p), ...) -> Transpose(Op(x, ...), p) for element-wise ops whose other
    inputs are the same Transpose, constants or size-1 tensors; inverse pairs cancel."""
    changed = False
    for node in graph.nodes():
        if node not in graph.nx:
            continue
        if node.op_type == "Transpose":
            changed |= _cancel(graph, node)
            continue
        if node.op_type not in ELEMENTWISE and not (node.op_type == "Dropout" and _inference_dropout(node)):
            continue
        perm = _sinkable(graph, node)
        if perm is not None and _worth_it(graph, node, perm):
            _sink(graph, node, perm)
            changed = True
    return graph, changed
