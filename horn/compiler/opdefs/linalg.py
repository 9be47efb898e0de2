"""MatMul and Gemm."""

import numpy as np

from ..opdef import broadcast_shapes, defop, op, unbroadcast


def _matmul_rule(ins, attrs):
    a, b = ins[0].shape, ins[1].shape
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"horn's MatMul needs rank >= 2 operands, got shapes {a} and {b}")
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(f"MatMul cannot multiply shapes {a} and {b}: {a[-1]} != {b[-2]}")
    batch = broadcast_shapes(a[:-2], b[:-2])
    return [(batch + (a[-2], b[-1]), ins[0].dtype)]


def _swap_last(x):
    perm = list(range(x.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    return op.Transpose(x, perm=perm)


def _matmul_grad(n, g):
    a, b = n.inputs
    g = g[0]
    da = unbroadcast(op.MatMul(g, _swap_last(b)), a.shape)
    if b.ndim == 2 and a.ndim > 2:
        # A weight shared over leading axes: one 2-D Gemm over all rows (notes §1).
        rows_a = op.Reshape(a, np.array([-1, a.shape[-1]], np.int64))
        rows_g = op.Reshape(g, np.array([-1, g.shape[-1]], np.int64))
        db = op.Gemm(rows_a, rows_g, transA=1)
    elif b.ndim == 2:
        db = op.Gemm(a, g, transA=1)
    else:
        db = unbroadcast(op.MatMul(_swap_last(a), g), b.shape)
    return [da, db]


defop("MatMul", _matmul_rule, lambda a, b: np.matmul(a, b), _matmul_grad)


def _gemm_rule(ins, attrs):
    a, b = ins[0].shape, ins[1].shape
    m, k = (a[1], a[0]) if attrs["transA"] else a
    k2, n = (b[1], b[0]) if attrs["transB"] else b
    if k is not None and k2 is not None and k != k2:
        raise ValueError(f"Gemm cannot multiply shapes {a} and {b} (transA={attrs['transA']}, "
                         f"transB={attrs['transB']})")
    return [((m, n), ins[0].dtype)]


def _f32(x):
    """An ONNX float attribute's value: attributes are stored as float32."""
    return float(np.float32(x))


def _gemm_ref(a, b, c=None, alpha=1.0, beta=1.0, transA=0, transB=0):
    y = _f32(alpha) * ((a.T if transA else a) @ (b.T if transB else b))
    if c is not None:
        y = y + _f32(beta) * c
    return y.astype(a.dtype)


def _gemm_grad(n, g):
    a, b = n.inputs[:2]
    ta, tb, alpha = n.attrs["transA"], n.attrs["transB"], n.attrs["alpha"]
    g0 = g[0]
    # Y = alpha * op(A) op(B); each case writes dA, dB in A's and B's stored layouts.
    if not ta:
        da = op.Gemm(g0, b, transB=0 if tb else 1, alpha=alpha)
    else:
        da = op.Gemm(b, g0, transA=1 if tb else 0, transB=1, alpha=alpha)
    if not tb:
        db = op.Gemm(a, g0, transA=0 if ta else 1, alpha=alpha)
    else:
        db = op.Gemm(g0, a, transA=1, transB=1 if ta else 0, alpha=alpha)
    c = n.inputs[2] if len(n.inputs) > 2 else None
    if c is None:
        return [da, db] + [None] * (len(n.inputs) - 2)  # C absent, or given as an omitted input
    dc = g0 if n.attrs["beta"] == 1.0 else op.Mul(g0, _f32(n.attrs["beta"]))
    return [da, db, unbroadcast(dc, c.shape)]


defop("Gemm", _gemm_rule, _gemm_ref, _gemm_grad,
      defaults=dict(alpha=1.0, beta=1.0, transA=0, transB=0))
