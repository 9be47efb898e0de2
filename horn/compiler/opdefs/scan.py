"""Scan: a loop body (an op graph) run once per slice of its scan inputs, carrying states.

The node's inputs are ONNX's, [states (N)..., scan inputs (M)...], followed by the values the
body reads from the enclosing graph (its `captures`, which ONNX leaves implicit: emission drops
them from the node and the body names them directly). Its outputs are [final states (N)...,
scan outputs (L)...], a scan output stacking one body output per iteration along axis 0.
`scan_input_directions` / `scan_output_directions` say, per scan input / output, whether it is
read / stacked from the end (1) or from the start (0). Axes other than 0 are not supported.

The gradient is a second Scan running the other way (DESIGN.md §2). Its body is built by
inlining one forward iteration and taking its vector-Jacobian product with horn's own autodiff;
then the forward values that product reads (gates, activations, the states each iteration
starts from) are stacked by the forward node as extra outputs and fed to the backward loop as
scan inputs, so nothing is recomputed (what the unrolled graph keeps, in T·B rows). State
gradients are carried from iteration to iteration; a weight read by the body gets its gradient
as one Gemm over all timesteps after the loop where the product's rule gives Gemm(a_t, g_t,
transA=1), else as a running sum carried by the loop. The passes in passes/scan_hoist.py then
move the backward body's work on saved values alone out of the loop.
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


def _stack_outputs(node, values, what):
    """Make the forward node also stack these body values (inputs or intermediates) per
    iteration, from the start; returns the node's new outputs."""
    body, attrs = node.attrs["body"], node.attrs
    n, m, n_out = _counts(body, attrs)
    steps = node.inputs[n].shape[0] if m else None
    body.outputs = body.outputs + list(values)
    attrs["scan_output_directions"] = list(attrs.get("scan_output_directions") or [0] * n_out) + [0] * len(values)
    graph, added = node.outputs[0].graph, []
    for k, v in enumerate(values):
        out = Value(graph, (steps,) + v.shape, v.dtype, node, len(node.outputs), f"{node.name}_{what}{k}")
        node.outputs.append(out)
        added.append(out)
    return added


def _scan_grad(node, grads):
    body, attrs = node.attrs["body"], node.attrs
    n, m, n_out = _counts(body, attrs)
    if "history" in attrs:
        raise NotImplementedError(f"horn differentiates {node.name} (a Scan) once per graph")
    attrs["history"] = len(node.outputs)  # where the outputs it gains for the gradient start
    in_dirs = list(attrs.get("scan_input_directions") or [0] * m)
    out_dirs = list(attrs.get("scan_output_directions") or [0] * n_out)
    sequences, captured = node.inputs[n:n + m], node.inputs[n + m:]
    with_grad = [k for k in range(n_out) if grads[n + k] is not None]
    outer = node.outputs[0].graph

    # The backward body: one forward iteration (recomputed from the state it started from) and
    # its vector-Jacobian product.
    back = new_body(outer, "scan_grad")
    d_states = [back.input(s.shape, s.dtype, back.unique("d_state")) for s in body.inputs[:n]]
    xs = [back.input(p.shape, p.dtype, back.unique("x")) for p in body.inputs[n:]]
    starts = [back.input(p.shape, p.dtype, back.unique("state")) for p in body.inputs[:n]]
    d_ys = [back.input(body.outputs[n + k].shape, body.outputs[n + k].dtype, back.unique("d_y"))
            for k in with_grad]
    env = {}
    with back.building():
        mapping = dict(zip(map(id, body.inputs), starts + xs))
        mapping.update({id(p): back.capture(v) for v, (_, p) in zip(captured, body.captures)})
        outs = inline(body, back, mapping, env)
        recomputed = set(back.nx)
        from ..autodiff import vjp

        targets = outs[:n] + [outs[n + k] for k in with_grad]
        wrt_caps = [mapping[id(p)] for _, p in body.captures]
        d_in = vjp(back, targets, d_states + d_ys, starts + xs + wrt_caps)
    d_starts, d_xs, d_caps = d_in[:n], d_in[n:n + m], d_in[n + m:]

    saved, saved_outer = _save_forward_values(node, back, env, recomputed)

    # Weight gradients Gemm(a_t, g_t, transA=1) summed over iterations: stack a_t and g_t and
    # run one Gemm over all T·B rows after the loop (notes §1), instead of T small ones and T
    # running sums. An operand the loop already reads or writes stacked in forward order is
    # taken as it is.
    float_caps = [k for k, g in enumerate(d_caps) if g is not None and captured[k].dtype.kind == "f"]
    float_xs = [j for j, g in enumerate(d_xs) if g is not None and sequences[j].dtype.kind == "f"]
    in_order = {id(p): ("start", i) for i, p in enumerate(starts)}
    in_order.update({id(p): ("saved", i) for i, (_, p) in enumerate(saved)})
    in_order.update({id(xs[j]): ("x", j) for j in range(m) if in_dirs[j] == 0})
    in_order.update({id(d_xs[j]): ("dx", i) for i, j in enumerate(float_xs) if in_dirs[j] == 0})
    stacked, hoisted = [], {}
    for k in float_caps:
        if _is_rows_product(d_caps[k].producer):
            hoisted[k] = [in_order.get(id(v)) or ("stacked", _index(stacked, v)) for v in d_caps[k].producer.inputs]
    summed = [k for k in float_caps if k not in hoisted]
    sums = [back.input(captured[k].shape, captured[k].dtype, back.unique("d_outer")) for k in summed]
    with back.building():
        carried = [g if g is not None else to_value(back, _zeros(s)) for g, s in zip(d_starts, starts)]
        back.outputs = carried + [op.Add(acc, d_caps[k]) for acc, k in zip(sums, summed)] + \
            [d_xs[j] for j in float_xs] + stacked
    back.inputs = d_states + sums + xs + starts + d_ys + [p for _, p in saved]
    from ..passes import optimize

    optimize(back)

    # Scan inputs the optimized backward body does not read are left out; the states each
    # iteration starts from are stacked by the forward node where the backward one reads them.
    read = back.read_ids()
    needed_starts = [i for i, p in enumerate(starts)
                     if id(p) in read or any(("start", i) in ops for ops in hoisted.values())]
    history = dict(zip(needed_starts, _stack_outputs(node, [body.inputs[i] for i in needed_starts], "history")))
    scan_in = [(xs[j], sequences[j], 1 - in_dirs[j]) for j in range(m)]
    scan_in += [(starts[i], history[i], 1) for i in needed_starts]
    scan_in += [(p, grads[n + k], 1 - out_dirs[k]) for p, k in zip(d_ys, with_grad)]
    scan_in += [(p, v, 1) for (_, p), v in zip(saved, saved_outer)]
    # (At least one stays: the loop's length comes from its scan inputs, also when the body only
    # carries gradients, e.g. d_h R^T of a linear recurrence whose weight gradient left the loop.)
    scan_in = [x for x in scan_in if id(x[0]) in read] or scan_in[:1]
    back.inputs = d_states + sums + [p for p, _, _ in scan_in]

    with outer.building():
        init = [g if g is not None else _zeros(o) for g, o in zip(grads[:n], node.outputs[:n])]
        init += [_zeros(captured[k]) for k in summed]
        result = op.Scan(*init, *[v for _, v, _ in scan_in], *[v for v, _ in back.captures], body=back,
                         num_scan_inputs=len(scan_in), scan_input_directions=[d for _, _, d in scan_in],
                         scan_output_directions=[1 - in_dirs[j] for j in float_xs] + [1] * len(stacked))
        result = list(result) if isinstance(result, tuple) else [result]
        d_init, rest = result[:n], result[n:]
        d_sums, rest = rest[:len(summed)], rest[len(summed):]
        d_seq, rest = rest[:len(float_xs)], rest[len(float_xs):]
        out = list(d_init) + [None] * (m + len(captured))
        for j, g in zip(float_xs, d_seq):
            out[n + j] = g
        for k, g in zip(summed, d_sums):
            out[n + m + k] = g
        where = {"start": lambda i: history[i], "saved": lambda i: saved_outer[i], "x": lambda j: sequences[j],
                 "dx": lambda i: d_seq[i], "stacked": lambda i: rest[i]}
        for k, operands in hoisted.items():
            a, g = [where[kind](i) for kind, i in operands]
            out[n + m + k] = op.Gemm(_rows(a), _rows(g), transA=1)
    return out


def _save_forward_values(node, back, env, recomputed):
    """Don't recompute: the forward values the VJP in `back` reads become scan outputs of the
    forward node (one per iteration) and scan inputs of the backward loop, as the unrolled graph
    keeps them. Returns [(value in back, its placeholder)] and the forward node's new outputs."""
    body = node.attrs["body"]
    originals = {id(env[id(v)]): v for v in _values(body) if id(v) in env}
    saved = []
    for grad_node in [x for x in back.nx if x not in recomputed]:
        for v in grad_node.inputs:
            # (Outputs an inner loop's gradient added to its recomputed copy have no forward
            # counterpart: that loop is recomputed.)
            if v is not None and v.producer in recomputed and id(v) in originals \
                    and all(v is not s for s, _ in saved):
                saved.append((v, back.input(v.shape, v.dtype, back.unique("saved"))))
    for v, placeholder in saved:
        back.replace_uses(v, placeholder)
    return saved, _stack_outputs(node, [originals[id(v)] for v, _ in saved], "saved")


def _is_rows_product(p):
    """p is Gemm(a, g, transA=1): aᵀg, a sum over the rows of a and g (a weight's gradient)."""
    return p is not None and p.op_type == "Gemm" and p.attrs.get("transA") == 1 and not p.attrs.get("transB") \
        and len(p.inputs) == 2 and p.attrs.get("alpha", 1.0) == 1.0


def _rows(stacked):
    """(T, B, ...) -> (T·B, last): every iteration's rows as one matrix."""
    return op.Reshape(stacked, np.array([-1, stacked.shape[-1]], np.int64))


def _index(values, v):
    """v's position in values, appending it if it is not there."""
    for i, x in enumerate(values):
        if x is v:
            return i
    values.append(v)
    return len(values) - 1


def _values(graph):
    """Every value a graph's nodes produce."""
    return [o for node in graph.nx for o in node.outputs]


def _zeros(like):
    if None not in like.shape:
        return np.zeros(like.shape, like.dtype)
    return op.ConstantOfShape(op.Shape(like), value=np.zeros(1, like.dtype))


# Not `deterministic`: a body may draw random numbers, so a Scan is never folded or merged.
defop("Scan", _scan_rule, _scan_ref, _scan_grad, deterministic=False,
      defaults={"scan_input_directions": None, "scan_output_directions": None}, private=("history",))
