"""Fusions into Gemm."""

import numpy as np

from ..opdef import op


def _only_consumer(graph, value):
    users = graph.consumers(value)
    return users[0] if len(users) == 1 and value not in graph.outputs else None


def _bias_fits(c, out):
    """C of Gemm: a row (N,) or (1, N), or a whole (M, N) matrix shaped like the product (a
    recurrence's x_t W + h R)."""
    n = out.shape[1]
    return c.ndim in (1, 2) and c.shape[-1] == n and (c.ndim == 1 or c.shape[0] == 1 or c.shape == out.shape)


def _swaps_matrix(node):
    """A Transpose of a matrix: perm omitted, or [1, 0] as a list or a tuple."""
    perm = node.attrs.get("perm")
    return node.op_type == "Transpose" and (perm is None or [int(p) for p in perm] == [1, 0])


def _row_bias(graph, node):
    """(the Add, c) when node's output only feeds Add(node, c) with c a row (N,) or (1, N)."""
    user = _only_consumer(graph, node.out)
    if user is None or user.op_type != "Add":
        return None, None
    other = user.inputs[1] if user.inputs[0] is node.out else user.inputs[0]
    n = node.out.shape[-1]
    row = other.ndim == 1 or (other.ndim == 2 and other.shape[0] == 1)
    if other is node.out or not row or other.shape[-1] != n or other.dtype != node.out.dtype or \
            user.out.shape != node.out.shape:
        return None, None
    return user, other


def _fuse_stacked_rows(graph, node):
    """Add(MatMul(x, W), b) with x of rank > 2 (a Dense on a sequence, an input projection) ->
    Reshape(Gemm(Reshape(x, (-1, K)), W, b), x's leading dims + (N,)): onnxruntime adds the bias
    inside the Gemm instead of in a pass of its own over the product."""
    x, w = node.inputs
    if x.ndim < 3 or w.ndim != 2 or x.shape[-1] is None or w.shape[1] is None or \
            list(x.shape[:-1]).count(None) > 1:
        return False
    user, bias = _row_bias(graph, node)
    if user is None:
        return False
    target = np.array([-1 if d is None else d for d in x.shape[:-1]] + [w.shape[1]], np.int64)
    with graph.building():
        rows = op.Reshape(x, np.array([-1, x.shape[-1]], np.int64))
        fused = op.Reshape(op.Gemm(rows, w, bias), target)
    graph.replace_uses(user.out, fused)
    graph.remove(user)
    graph.remove(node)
    return True


def fuse_gemm(graph):
    """Add(MatMul(a, b), c) -> Gemm(a, b, c) (through Reshapes when a has more than two axes);
    MatMul(Transpose(a), b) -> Gemm(a, b, transA=1); MatMul(a, Transpose(b)) -> Gemm(a, b, transB=1)."""
    changed = False
    for node in graph.nodes():
        if node not in graph.nx or node.op_type != "MatMul":
            continue
        a, b = node.inputs
        if a.ndim > 2 and _fuse_stacked_rows(graph, node):
            changed = True
            continue
        if a.ndim != 2 or b.ndim != 2:
            continue
        trans_a = trans_b = 0
        if a.producer is not None and _swaps_matrix(a.producer):
            a, trans_a = a.producer.inputs[0], 1
        if b.producer is not None and _swaps_matrix(b.producer):
            b, trans_b = b.producer.inputs[0], 1
        bias = None
        user = _only_consumer(graph, node.out)
        if user is not None and user.op_type == "Add":
            other = user.inputs[1] if user.inputs[0] is node.out else user.inputs[0]
            if other is not node.out and _bias_fits(other, node.out) and other.dtype == node.out.dtype \
                    and user.out.shape == node.out.shape:
                bias = other
        if not trans_a and not trans_b and bias is None:
            continue
        with graph.building():
            inputs = (a, b, bias) if bias is not None else (a, b)
            fused = op.Gemm(*inputs, transA=trans_a, transB=trans_b)
        target = user if bias is not None else node
        graph.replace_uses(target.out, fused)
        graph.remove(target)
        if target is not node and not graph.consumers(node.out):
            graph.remove(node)
        changed = True
    return graph, changed
