"""Work a loop does per iteration on its scan inputs alone runs once, on whole sequences.

In a Scan body, an elementwise op (or a Split/Concat) whose inputs come only from scan inputs,
constants and captured values does not depend on the carried states: the same op applied to the
stacked sequences (T, ...) gives every iteration's result at once, which onnxruntime runs as one
large kernel instead of T small ones. The backward loop of a recurrence is full of these (the
activation derivatives of the saved gates), and a loop over a cell that is not hoisted by hand
gets its input projection x_t @ W lifted too. Before hoisting, sums and products are regrouped
so that such terms meet: (g * a) * b -> g * (a * b), (g + a) + b -> g + (a + b), and
Concat(g1, g2) * s -> Concat(g1 * s1, g2 * s2) with s split like the Concat, when a, b, s are
per-iteration values and g is carried (float rounding may change by an ulp).
"""

import numpy as np

from ..opdef import ELEMENTWISE, op
from .dce import eliminate_dead_code


def hoist_scan_invariants(graph):
    changed = False
    for node in graph.nodes():
        if node.op_type == "Scan":
            changed |= _hoist(graph, node)
    return graph, changed


def _per_iteration(body, node):
    """id(body value) -> direction, for values computed from scan inputs (of one direction),
    constants and captures only."""
    n = len(body.inputs) - node.attrs["num_scan_inputs"]
    directions = node.attrs.get("scan_input_directions") or [0] * (len(body.inputs) - n)
    found = {id(p): d for p, d in zip(body.inputs[n:], directions)}
    fixed = {id(p) for _, p in body.captures}
    for x in body.nodes():
        if not _liftable(x):
            continue
        dirs = {found[id(v)] for v in x.inputs if v is not None and id(v) in found}
        others_fixed = all(v is None or id(v) in found or v.const is not None or id(v) in fixed for v in x.inputs)
        if len(dirs) == 1 and others_fixed and _aligned(x, found):
            direction = dirs.pop()
            for o in x.outputs:
                found[id(o)] = direction
    return found


def _liftable(x):
    return x.op_type in ELEMENTWISE or x.op_type in ("Split", "Concat", "MatMul")


def _aligned(x, found):
    """Stacking adds a leading axis to the per-iteration operands only: right-aligned
    broadcasting stays the same if they all have the output's rank and no other operand has more.
    A MatMul lifts as x_t @ W with W a fixed matrix (the input projection of a recurrence)."""
    if x.op_type == "MatMul":
        a, w = x.inputs
        return id(a) in found and id(w) not in found and w.ndim == 2 and a.ndim >= 2
    if x.op_type == "Concat":  # every piece must gain the time axis: no fixed ones
        return all(id(v) in found for v in x.inputs)
    if x.op_type == "Split":
        return id(x.inputs[0]) in found
    rank = max(o.ndim for o in x.outputs)
    for k, v in enumerate(x.inputs):
        if v is None or (x.op_type == "Split" and k == 1):
            continue
        if id(v) in found and v.ndim != rank:
            return False
        if id(v) not in found and v.ndim > rank:
            return False
    return True


def _regroup(body, inv):
    """(g * a) * b -> g * (a * b) and Concat(g...) * s -> Concat(g_k * s_k) where a, b, s are
    per-iteration values and g is not; True if it changed the body."""
    changed = False
    for x in body.nodes():
        if x not in body.nx or x.op_type not in ("Mul", "Add"):
            continue
        a, b = x.inputs

        def fixed(v):
            return id(v) in inv or v.const is not None

        if fixed(a) and not fixed(b):
            a, b = b, a
        if not fixed(b) or fixed(a) or a.producer is None or len(body.consumers(a)) != 1 \
                or a in body.outputs or a.shape != x.out.shape:
            continue
        inner = a.producer
        with body.building():
            if inner.op_type == x.op_type:  # associativity
                g, c = inner.inputs
                if fixed(g):
                    g, c = c, g
                if not fixed(c) or fixed(g):
                    continue
                combine = getattr(op, x.op_type)
                factor = combine(c, b)
                new = combine(g, factor)
                if id(c) in inv or id(b) in inv:
                    inv[id(factor)] = inv.get(id(c), inv.get(id(b)))
            elif inner.op_type == "Concat" and x.op_type == "Mul" and b.shape == x.out.shape:
                axis = inner.attrs["axis"]
                sizes = [v.shape[axis] for v in inner.inputs]
                if None in sizes:
                    continue
                pieces = op.Split(b, np.array(sizes, np.int64), axis=axis)
                pieces = pieces if isinstance(pieces, tuple) else (pieces,)
                for p in pieces:
                    if id(b) in inv:  # (a constant factor's pieces are constants: folded)
                        inv[id(p)] = inv[id(b)]
                new = op.Concat(*[op.Mul(v, p) for v, p in zip(inner.inputs, pieces)], axis=axis)
            else:
                continue
        body.replace_uses(x.out, new)
        body.remove(x)
        body.remove(inner)
        changed = True
    return changed


def _hoist(graph, node):
    body = node.attrs["body"]
    n = len(body.inputs) - node.attrs["num_scan_inputs"]
    eliminate_dead_code(body)  # only work the loop needs moves out of it
    inv = _per_iteration(body, node)
    while _regroup(body, inv):
        inv = _per_iteration(body, node)
    scan_inputs = body.inputs[n:]
    outer_of = {id(p): v for p, v in zip(scan_inputs, node.inputs[n:n + len(scan_inputs)])}
    outer_of.update({id(p): v for (_, p), v in zip(body.captures, node.inputs[len(body.inputs):])})
    lifted = [x for x in body.nodes() if all(id(o) in inv for o in x.outputs) and x.outputs]
    if not lifted:
        return False
    stacked = dict(outer_of)  # id(body value) -> outer value (stacked, or captured as it is)
    for x in lifted:
        attrs = dict(x.attrs)
        if x.op_type in ("Split", "Concat") and attrs.get("axis", 0) >= 0:
            attrs["axis"] = attrs.get("axis", 0) + 1  # past the time axis
        _replay(x, graph, stacked, attrs)
    # Lifted values the rest of the body reads become scan inputs.
    lifted_ids = {id(x) for x in lifted}
    read = []
    for x in body.nodes():
        if id(x) in lifted_ids:
            continue
        read += [v for v in x.inputs if v is not None and v.producer is not None and id(v.producer) in lifted_ids]
    read += [o for o in body.outputs if o.producer is not None and id(o.producer) in lifted_ids]
    directions = list(node.attrs.get("scan_input_directions") or [0] * len(scan_inputs))
    new_inputs = []
    for v in _unique(read):
        placeholder = body.input(v.shape, v.dtype, body.unique("lifted"))
        body.replace_uses(v, placeholder)
        new_inputs.append((placeholder, stacked[id(v)], inv[id(v)]))
    for x in lifted:
        if x in body.nx:
            body.remove(x)
    # Scan inputs the body no longer reads are dropped.
    still = body.read_ids()
    given = list(zip(scan_inputs, node.inputs[n:n + len(scan_inputs)], directions))
    kept = [(p, v, d) for p, v, d in given if id(p) in still]
    kept += new_inputs
    kept = kept or given[:1]  # the loop's length comes from its scan inputs: one always stays
    states, captured = node.inputs[:n], node.inputs[n + len(scan_inputs):]
    body.inputs = body.inputs[:n] + [p for p, _, _ in kept]
    # Captures the body no longer reads are dropped too.
    live = [captured[k] for k in body.drop_unread_captures()]
    node.inputs = list(states) + [v for _, v, _ in kept] + live
    node.attrs["num_scan_inputs"] = len(kept)
    node.attrs["scan_input_directions"] = [d for _, _, d in kept]
    _reconnect(graph, node)
    from .manager import optimize

    optimize(body)
    return True


def _replay(x, outer, outer_of, attrs):
    """Body node x's op once more in `outer`, on outer_of[id(input)] (constants as they are);
    records its outputs in outer_of."""
    args = [None if v is None else v.const if v.const is not None else outer_of[id(v)] for v in x.inputs]
    with outer.building():
        out = getattr(op, x.op_type)(*args, **attrs)
    for o, new in zip(x.outputs, out if isinstance(out, tuple) else (out,)):
        outer_of[id(o)] = new


def _unique(values):
    seen, out = set(), []
    for v in values:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _reconnect(graph, node):
    """Rebuild the edges into `node` from its (changed) inputs."""
    for pred in list(graph.nx.predecessors(node)):
        graph.nx.remove_edge(pred, node)
    for v in node.inputs:
        if v is not None and v.producer is not None:
            graph.nx.add_edge(v.producer, node)


def lift_loop_invariants(body, outer):
    """Nodes of a loop body that read only captured values and constants (a weight split or
    transposed inside a cell's step) compute once in `outer`, before the loop; the body captures
    their results. Run before the loop's node is made (and so before its gradient): the
    gradient then reaches the weights outside the loop (as one Gemm over all timesteps where
    it can) instead of being summed inside it, and no copy of a weight is saved per iteration."""
    from ..opdef import OPS

    outer_of = {id(p): v for v, p in body.captures}
    lifted = []
    for x in body.nodes():
        reads = [v for v in x.inputs if v is not None]
        if not OPS[x.op_type].deterministic or x.op_type == "Scan" or not any(id(v) in outer_of for v in reads) \
                or not all(v.const is not None or id(v) in outer_of for v in reads):
            continue
        _replay(x, outer, outer_of, x.attrs)
        lifted.append(x)
    if not lifted:
        return False
    for x in lifted:
        for o in x.outputs:
            if any(c not in lifted for c in body.consumers(o)) or any(o is b for b in body.outputs):
                body.replace_uses(o, body.capture(outer_of[id(o)]))
    body.nx.remove_nodes_from(lifted)
    body.drop_unread_captures()
    return True
