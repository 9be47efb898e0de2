"""Reverse-mode autodiff over the op graph.

Walk the nodes between `wrt` and `loss` in reverse topological order; each op's rule maps
its output gradients to one gradient per input; gradients reaching a value along several
paths are summed. Gradients are ordinary ops in the same graph, so they are folded, fused
and emitted like the forward pass.
"""

import numpy as np

from .ir import Value
from .opdef import OPS, op


def gradients(graph, loss: Value, wrt: list[Value]) -> list[Value | None]:
    """d loss / d w for each w in wrt (None where w does not reach the loss)."""
    if loss.shape != ():
        raise ValueError(f"gradients() needs a scalar loss, got shape {loss.shape}")
    return vjp(graph, [loss], [graph.constant(np.ones((), loss.dtype))], wrt)


def vjp(graph, outputs: list[Value], seeds: list[Value], wrt: list[Value]) -> list[Value | None]:
    """Σ_k seeds[k] · d outputs[k] / d w for each w in wrt: the vector-Jacobian product that
    carries output gradients (`seeds`, one per output, shaped like it) back to `wrt`."""
    needed = set()
    for out in outputs:
        needed |= _nodes_between(graph, out, wrt)
    partials: dict[int, list[Value]] = {}
    for out, seed in zip(outputs, seeds):
        partials.setdefault(id(out), []).append(seed)
    with graph.building():
        for node in reversed(graph.nodes()):
            if node not in needed:
                continue
            out_grads = [_total(partials.get(id(o))) for o in node.outputs]
            if all(g is None for g in out_grads):
                continue
            rule = OPS[node.op_type].grad
            if rule is None:
                raise NotImplementedError(f"horn has no gradient rule for op {node.op_type} ({node.name})")
            in_grads = rule(node, out_grads)
            if len(in_grads) != len(node.inputs):
                raise RuntimeError(f"gradient rule of {node.op_type} returned {len(in_grads)} "
                                   f"gradients for {len(node.inputs)} inputs")
            for v, g in zip(node.inputs, in_grads):
                if v is not None and g is not None and v.dtype.kind == "f":
                    if g.shape != v.shape and None not in g.shape + v.shape:
                        raise RuntimeError(f"gradient rule of {node.op_type} gave shape {g.shape} "
                                           f"for input {v.name} of shape {v.shape}")
                    partials.setdefault(id(v), []).append(g)
        return [_total(partials.get(id(w))) for w in wrt]


def _total(parts):
    """The sum of a value's partial gradients (summed once: the list is replaced by its sum)."""
    if not parts:
        return None
    total = parts[0]
    for p in parts[1:]:
        total = op.Add(total, p)
    parts[:] = [total]
    return total


def _nodes_between(graph, loss, wrt):
    """Nodes that lie on some path from a `wrt` value to the loss."""
    if loss.producer is None:
        return set()
    import networkx as nx

    reaches_loss = nx.ancestors(graph.nx, loss.producer) | {loss.producer}
    wrt_ids = {id(w) for w in wrt}
    from_wrt = set()
    for node in graph.nodes():
        if node in reaches_loss and any(
            v is not None and (id(v) in wrt_ids or v.producer in from_wrt) for v in node.inputs
        ):
            from_wrt.add(node)
    return from_wrt
