"""Folding per-channel scales and shifts (inference batch normalization) into the weights of
the Conv, Gemm or MatMul before them.

In the predict program a BatchNormalization is `x * s + t` with constant per-channel s and t
(`frontend.ops.batch_normalization`), and the weights are constants too, so both fold into
the preceding layer's weights and bias. In training programs the weights are inputs, so
nothing here applies there.
"""

import numpy as np

from ..ir import apply


def _only_consumer(graph, value, node):
    users = graph.consumers(value)
    return len(users) == 1 and users[0] is node and value not in graph.outputs


def _per_channel(c, shape, axis):
    """The (C,) vector a constant holds if it varies only along `axis` of `shape`, else None."""
    rank = len(shape)
    if c.ndim > rank or shape[axis] is None:
        return None
    padded = (1,) * (rank - c.ndim) + c.shape
    if any(d != 1 for i, d in enumerate(padded) if i != axis) or padded[axis] not in (1, shape[axis]):
        return None
    return np.broadcast_to(c.reshape(-1).astype(np.float64), (shape[axis],))


def _const(v):
    return None if v is None else v.const


def _weights(node, n_required):
    """The constant weight inputs after x (None for an omitted optional one), or None if one of
    them is computed (a training program's parameter)."""
    ws = list(node.inputs[1:]) + [None] * (3 - len(node.inputs))
    if any(w is not None and w.const is None for w in ws) or any(w is None for w in ws[:n_required]):
        return None
    return [_const(w) for w in ws]


def _cast(a, like):
    return np.ascontiguousarray(a).astype(like.dtype)


def _conv_mul(graph, conv, c):
    """Conv(x, W, b) * s -> Conv(x, W * s, b * s)."""
    ws, s = _weights(conv, 1), _per_channel(c, conv.out.shape, 1)
    if ws is None or s is None:
        return None
    w, b = ws[0], ws[1]
    w2 = _cast(w * s.reshape((-1,) + (1,) * (w.ndim - 1)), w)
    extra = [] if b is None else [_cast(b * s, b)]
    return apply("Conv", conv.inputs[0], w2, *extra, **conv.attrs)


def _conv_add(graph, conv, c):
    """Conv(x, W, b) + t -> Conv(x, W, b + t)."""
    ws, t = _weights(conv, 1), _per_channel(c, conv.out.shape, 1)
    if ws is None or t is None:
        return None
    w, b = ws[0], ws[1]
    return apply("Conv", conv.inputs[0], w, _cast(t if b is None else b + t, w), **conv.attrs)


def _gemm_mul(graph, gemm, c):
    """Gemm(a, B, C) * s -> Gemm(a, B * s, C * s) (s along B's output columns)."""
    ws, s = _weights(gemm, 1), _per_channel(c, gemm.out.shape, 1)
    if ws is None or s is None:
        return None
    b, bias = ws[0], ws[1]
    b2 = _cast(b * (s[:, None] if gemm.attrs["transB"] else s[None, :]), b)
    extra = [] if bias is None else [_cast(bias * s, bias)]
    return apply("Gemm", gemm.inputs[0], b2, *extra, **gemm.attrs)


def _gemm_add(graph, gemm, c):
    """Gemm(a, B, C, beta) + t -> Gemm(a, B, beta * C + t, beta=1)."""
    ws = _weights(gemm, 1)
    if ws is None or c.ndim > 2:
        return None
    b, bias = ws[0], ws[1]
    beta = float(np.float32(gemm.attrs["beta"]))
    merged = c.astype(np.float64) if bias is None else beta * bias.astype(np.float64) + c
    return apply("Gemm", gemm.inputs[0], b, _cast(merged, b), **{**gemm.attrs, "beta": 1.0})


def _matmul_mul(graph, matmul, c):
    """MatMul(x, W) * s -> MatMul(x, W * s) (W a constant matrix, s along its columns)."""
    w = matmul.inputs[1].const
    s = _per_channel(c, matmul.out.shape, matmul.out.ndim - 1)
    if w is None or w.ndim != 2 or s is None:
        return None
    return apply("MatMul", matmul.inputs[0], _cast(w * s[None, :], w))


def _bias_of_matmul(graph, add):
    """(the MatMul, its constant bias) when `add` is Add(MatMul(x, W), b) with one use of the MatMul."""
    for y, b in (add.inputs, add.inputs[::-1]):
        if b.const is not None and y.producer is not None and y.producer.op_type == "MatMul" and \
                _only_consumer(graph, y, add) and y.shape == add.out.shape:
            return y.producer, b.const
    return None, None


def _biased_matmul_mul(graph, add, c):
    """(MatMul(x, W) + b) * s -> MatMul(x, W * s) + b * s."""
    matmul, b = _bias_of_matmul(graph, add)
    if matmul is None:
        return None
    scaled = _matmul_mul(graph, matmul, c)
    if scaled is None:
        return None
    return apply("Add", scaled, _cast(b * c.astype(np.float64), b))


def _biased_matmul_add(graph, add, c):
    """(MatMul(x, W) + b) + t -> MatMul(x, W) + (b + t)."""
    matmul, b = _bias_of_matmul(graph, add)
    if matmul is None:
        return None
    return apply("Add", matmul.out, _cast(b + c.astype(np.float64), b))


_RULES = {
    ("Conv", "Mul"): _conv_mul, ("Conv", "Add"): _conv_add,
    ("Gemm", "Mul"): _gemm_mul, ("Gemm", "Add"): _gemm_add,
    ("MatMul", "Mul"): _matmul_mul,
    ("Add", "Mul"): _biased_matmul_mul, ("Add", "Add"): _biased_matmul_add,
}


def fold_batch_norm(graph):
    """Conv/Gemm/MatMul(x, W, b) * s + t -> one Conv/Gemm/MatMul with folded constant weights,
    for constant weights and per-channel constants s and t (one rewrite per Mul or Add)."""
    changed = False
    for node in graph.nodes():
        if node not in graph.nx or node.op_type not in ("Mul", "Add") or node.out.dtype.kind != "f":
            continue
        for y, c in (node.inputs, node.inputs[::-1]):
            producer = y.producer
            rule = _RULES.get((producer.op_type if producer is not None else None, node.op_type))
            if rule is None or c.const is None or y.shape != node.out.shape or \
                    not _only_consumer(graph, y, node):
                continue
            with graph.building():
                new = rule(graph, producer, c.const)
            if new is None:
                continue
            graph.replace_uses(node.out, new)
            graph.remove(node)
            if not graph.consumers(y):
                graph.remove(producer)
            changed = True
            break
    return graph, changed
