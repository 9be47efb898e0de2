"""Algebraic simplifications that make the emitted graph smaller."""


def _is_const(v, value):
    return v is not None and v.const is not None and v.const.size == 1 and float(v.const.reshape(-1)[0]) == value


def _forward(graph, node, source):
    """Replace node's output by `source` where the shapes agree; True if it did."""
    out = node.out
    # A loop body's outputs are positional: only a top-level graph's keep their names.
    if source.shape != out.shape or source.dtype != out.dtype or (out in graph.outputs and graph.parent is None):
        return False
    graph.replace_uses(out, source)
    graph.remove(node)
    return True


def _inner_concat(graph, node, v):
    """v is a Concat along node's (a Concat's) axis that only node reads."""
    inner = v.producer
    if inner is None or inner.op_type != "Concat" or v in graph.outputs or len(graph.consumers(v)) != 1:
        return False
    rank = v.ndim
    return inner.attrs["axis"] % rank == node.attrs["axis"] % rank


def simplify(graph):
    """Identity(x) -> x; x*1, x/1, x+0, x-0 -> x; Transpose(Transpose(x)) -> x or one Transpose;
    Concat(Concat(a, b), c) -> Concat(a, b, c) along one axis."""
    changed = False
    for node in graph.nodes():
        if node not in graph.nx:
            continue
        ins, t = node.inputs, node.op_type
        if t == "Identity":
            changed |= _forward(graph, node, ins[0])
        elif t in ("Mul", "Div") and _is_const(ins[1], 1.0):
            changed |= _forward(graph, node, ins[0])
        elif t == "Mul" and _is_const(ins[0], 1.0):
            changed |= _forward(graph, node, ins[1])
        elif t in ("Add", "Sub") and _is_const(ins[1], 0.0):
            changed |= _forward(graph, node, ins[0])
        elif t == "Add" and _is_const(ins[0], 0.0):
            changed |= _forward(graph, node, ins[1])
        elif t == "Concat" and any(_inner_concat(graph, node, v) for v in ins):
            parts, inner = [], []
            for v in ins:
                if _inner_concat(graph, node, v):
                    parts += v.producer.inputs
                    inner.append(v.producer)
                else:
                    parts.append(v)
            with graph.building():
                from ..opdef import op
                merged = op.Concat(*parts, axis=node.attrs["axis"])
            if _forward(graph, node, merged):
                graph.nx.remove_nodes_from(inner)
                changed = True
        elif t == "Transpose" and ins[0].producer is not None and ins[0].producer.op_type == "Transpose":
            inner = ins[0].producer
            p1 = inner.attrs.get("perm") or list(reversed(range(ins[0].ndim)))
            p2 = node.attrs.get("perm") or list(reversed(range(ins[0].ndim)))
            perm = [p1[i] for i in p2]
            if perm == sorted(perm):
                changed |= _forward(graph, node, inner.inputs[0])
            else:
                with graph.building():
                    from ..opdef import op
                    merged = op.Transpose(inner.inputs[0], perm=[int(p) for p in perm])
                changed |= _forward(graph, node, merged)
    return graph, changed

