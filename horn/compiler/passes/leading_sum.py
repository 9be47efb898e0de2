"""Sums over leading axes become a product with a row of ones.

A bias's gradient is the output gradient summed over the batch (and over time, for a
recurrence's): ReduceSum over the leading axes. onnxruntime splits that reduction across its
threads badly: on two threads a [128, 512] sum takes ~80 us and an [80, 32, 512] one ~350 us
(on one thread ~20 and ~165), where the same sums as ones(1, M) @ x(M, N) take ~22 and ~136 us
(benchmarks/leading_sum.py). mnist_mlp's step ~4% faster, imdb_lstm's ~1%, mnist_cnn's even
(benchmarks/pass_ab.py).
"""

import numpy as np

from ..opdef import const_ints, norm_axes, op

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))  # what onnxruntime's CPU MatMul computes


def _leading_count(node):
    """k when node is a ReduceSum over x's first k axes (0 < k < rank), else 0."""
    x = node.inputs[0]
    axes_input = node.inputs[1] if len(node.inputs) > 1 else None
    if axes_input is None or (axes_input.const is None and axes_input.hint is None):
        return 0
    axes = norm_axes(const_ints(axes_input, "the axes of ReduceSum"), x.ndim)
    k = len(axes)
    return k if 0 < k < x.ndim and axes == list(range(k)) else 0


def sum_leading_axes_by_matmul(graph):
    """ReduceSum(x, axes=[0..k-1]) -> Reshape(MatMul(ones(1, M), Reshape(x, (M, N))))."""
    changed = False
    for node in graph.nodes():
        if node not in graph.nx or node.op_type != "ReduceSum":
            continue
        x, out = node.inputs[0], node.out
        k = _leading_count(node)
        if not k or x.dtype not in _DTYPES or None in x.shape[k:]:
            continue
        n = int(np.prod(x.shape[k:]))
        with graph.building():
            rows = x if x.ndim == 2 else op.Reshape(x, np.array([-1, n], np.int64))
            if None in x.shape[:k]:
                # ones shaped like the rows along the dynamic axis; an unknown dim only on
                # this one small tensor (the product's shape is static again).
                ones = op.Unsqueeze(op.ConstantOfShape(op.Shape(rows, end=1), value=np.ones(1, x.dtype)),
                                    np.array([0], np.int64))
            else:
                ones = np.ones((1, int(np.prod(x.shape[:k]))), x.dtype)
            total = op.MatMul(ones, rows)
            if out.shape != (1, n):
                total = op.Reshape(total, np.array(out.shape, np.int64))
        graph.replace_uses(out, total)
        graph.remove(node)
        changed = True
    return graph, changed
