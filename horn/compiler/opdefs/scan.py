"""Scan: a loop body (an op graph) run once per slice of its scan inputs, carrying states.

The node's inputs are ONNX's, [states (N)..., scan inputs (M)...], followed by the values the
body reads from the enclosing graph (its `captures`, which ONNX leaves implicit: emission drops
them from the node and the body names them directly). Its outputs are [final states (N)...,
scan outputs (L)...], a scan output stacking one body output per iteration along axis 0.
`scan_input_directions` / `scan_output_directions` say, per scan input / output, whether it is
read / stacked from the end (1) or from the start (0). Axes other than 0 are not supported.

The gradient is a second Scan running the other way (DESIGN.md §2): the forward node is made to
also stack the states each iteration starts from (`history`); the backward body recomputes
one forward iteration from them, takes its vector-Jacobian product with horn's own autodiff,
and carries the state gradients from iteration to iteration and the gradients of the captured
values (weights) as running sums. Memory is one state per timestep, compute one extra forward
step per timestep: the unrolled alternative keeps every intermediate instead.
"""

import itertools

import numpy as np

from ..ir import Graph, Value, inline, to_value
from ..opdef import defop, op

_names = itertools.count()


def new_body(parent, name="scan"):
    """An empty loop body inside `parent` (its values get a unique name prefix)."""
    return Graph(f"{name}{next(_names)}", parent=parent)


def _counts(body, attrs):
    m = attrs["num_scan_inputs"]
    return len(body.inputs) - m, m, len(body.outputs) - (len(body.inputs) - m)


def _scan_rule(ins, attrs):
    body = attrs["body"]
    n, m, n_out = _counts(body, attrs)
    if len(ins) != n + m + len(body.captures):
        raise ValueError(f"Scan with {n} states, {m} scan inputs and {len(body.captures)} captured values "
                         f"got {len(ins)} inputs")
    lengths = {v.shape[0] for v in ins[n:n + m]} - {None}
    if len(lengths) > 1:
        raise ValueError(f"Scan's scan inputs differ in length along axis 0: {sorted(lengths)}")
    steps = lengths.pop() if lengths else None
    states = [(v.shape, v.dtype) for v in ins[:n]]
    stacked = [((steps,) + o.shape, o.dtype) for o in body.outputs[n:]]
    return states + stacked


def evaluate(graph, feeds):
    """Run `graph` on numpy arrays with the ops' references: feeds maps id(input or capture
    placeholder) -> array; returns the outputs."""
    from ..opdef import OPS

    env = dict(feeds)

    def read(v):
        if v is None:
            return None
        return v.const if v.const is not None else env[id(v)]

    for node in graph.nodes():
        result = OPS[node.op_type].reference(*[read(v) for v in node.inputs], **node.attrs)
        result = result if isinstance(result, tuple) else (result,)
        for o, r in zip(node.outputs, result):
            env[id(o)] = np.asarray(r).astype(o.dtype, copy=False)
    return [read(o) for o in graph.outputs]


def _scan_ref(*inputs, body, num_scan_inputs, scan_input_directions=None, scan_output_directions=None):
    n, m, n_out = _counts(body, {"num_scan_inputs": num_scan_inputs})
    in_dirs = scan_input_directions or [0] * m
    out_dirs = scan_output_directions or [0] * n_out
    states = list(inputs[:n])
    sequences = [s[::-1] if d else s for s, d in zip(inputs[n:n + m], in_dirs)]
    captured = {id(p): inputs[n + m + k] for k, (_, p) in enumerate(body.captures)}
    steps = len(sequences[0]) if sequences else 0
    stacked = [[] for _ in range(n_out)]
    for t in range(steps):
        feeds = {id(p): x for p, x in zip(body.inputs, states + [s[t] for s in sequences])}
        results = evaluate(body, {**feeds, **captured})
        states = results[:n]
        for out, r in zip(stacked, results[n:]):
            out.append(r)
    outs = []
    for o, rows, d in zip(body.outputs[n:], stacked, out_dirs):
        rows = np.stack(rows) if rows else np.zeros((0,) + tuple(x or 0 for x in o.shape), o.dtype)
        outs.append(rows[::-1] if d else rows)
    return tuple(states) + tuple(outs)


def _record_history(node):
    """Make the forward node also stack the n states each iteration starts from (once)."""
    body, attrs = node.attrs["body"], node.attrs
    n, m, n_out = _counts(body, attrs)
    if "history" not in attrs:
        attrs["history"] = len(node.outputs)
        body.outputs = body.outputs + body.inputs[:n]
        attrs["scan_output_directions"] = list(attrs.get("scan_output_directions") or [0] * n_out) + [0] * n
        steps = node.outputs[n].shape[0] if n_out else node.inputs[n].shape[0]
        graph = node.outputs[0].graph
        for k, s in enumerate(body.inputs[:n]):
            node.outputs.append(Value(graph, (steps,) + s.shape, s.dtype, node, len(node.outputs),
                                      f"{node.name}_history{k}"))
    return node.outputs[attrs["history"]:attrs["history"] + n]


def _scan_grad(node, grads):
    body, attrs = node.attrs["body"], node.attrs
    n, m, _ = _counts(body, attrs)
    n_out = attrs.get("history", len(node.outputs)) - n
    in_dirs = list(attrs.get("scan_input_directions") or [0] * m)
    out_dirs = list(attrs.get("scan_output_directions") or [0] * n_out)[:n_out]
    history = _record_history(node)
    states, sequences = node.inputs[:n], node.inputs[n:n + m]
    captured = node.inputs[n + m:]
    with_grad = [k for k in range(n_out) if grads[n + k] is not None]

    back = new_body(node.outputs[0].graph, "scan_grad")
    d_states = [back.input(s.shape, s.dtype, back.unique("d_state")) for s in body.inputs[:n]]
    xs = [back.input(p.shape, p.dtype, back.unique("x")) for p in body.inputs[n:]]
    starts = [back.input(p.shape, p.dtype, back.unique("state")) for p in body.inputs[:n]]
    d_ys = [back.input(body.outputs[n + k].shape, body.outputs[n + k].dtype, back.unique("d_y"))
            for k in with_grad]
    with back.building():
        mapping = dict(zip(map(id, body.inputs), starts + xs))
        mapping.update({id(p): back.capture(v) for v, (_, p) in zip(captured, body.captures)})
        outs = inline(body, back, mapping)
        from ..autodiff import vjp

        targets = outs[:n] + [outs[n + k] for k in with_grad]
        wrt_caps = [mapping[id(p)] for _, p in body.captures]
        d_in = vjp(back, targets, d_states + d_ys, starts + xs + wrt_caps)
    d_starts, d_xs, d_caps = d_in[:n], d_in[n:n + m], d_in[n + m:]
    float_caps = [k for k, g in enumerate(d_caps) if g is not None and captured[k].dtype.kind == "f"]
    sums = [back.input(captured[k].shape, captured[k].dtype, back.unique("d_outer")) for k in float_caps]
    float_xs = [j for j, g in enumerate(d_xs) if g is not None and sequences[j].dtype.kind == "f"]
    with back.building():
        carried = [g if g is not None else to_value(back, _zeros(s)) for g, s in zip(d_starts, starts)]
        back.outputs = carried + [op.Add(acc, d_caps[k]) for acc, k in zip(sums, float_caps)] + \
            [d_xs[j] for j in float_xs]
    back.inputs = d_states + sums + xs + starts + d_ys

    outer = node.outputs[0].graph
    with outer.building():
        init = [g if g is not None else _zeros(o) for g, o in zip(grads[:n], node.outputs[:n])]
        init += [_zeros(captured[k]) for k in float_caps]
        scanned = sequences + history + [grads[n + k] for k in with_grad]
        result = op.Scan(*init, *scanned, *[v for v, _ in back.captures], body=back,
                         num_scan_inputs=len(scanned),
                         scan_input_directions=[1 - d for d in in_dirs] + [1] * n + [1 - out_dirs[k] for k in with_grad],
                         scan_output_directions=[1 - in_dirs[j] for j in float_xs])
    result = list(result) if isinstance(result, tuple) else [result]
    d_init, d_sums, d_seq = result[:n], result[n:n + len(float_caps)], result[n + len(float_caps):]
    out = list(d_init) + [None] * (m + len(captured))
    for j, g in zip(float_xs, d_seq):
        out[n + j] = g
    for k, g in zip(float_caps, d_sums):
        out[n + m + k] = g
    return out


def _zeros(like):
    if None not in like.shape:
        return np.zeros(like.shape, like.dtype)
    return op.ConstantOfShape(op.Shape(like), value=np.zeros(1, like.dtype))


defop("Scan", _scan_rule, _scan_ref, _scan_grad,
      defaults={"scan_input_directions": None, "scan_output_directions": None}, private=("history",))
