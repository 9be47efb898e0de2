"""passes/gemm_sum.py: sums of Gemm(a_i, g_i, transA=1) become one Gemm over stacked rows
(the changed flag, verify(), equal outputs on onnxruntime), and what it leaves alone."""

import numpy as np
import pytest

from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.compiler.passes.gemm_sum import batch_gemm_sums
from horn.runtime import Program

RNG = np.random.default_rng(2)


def _run(graph, feeds):
    return Program(to_onnx(graph).SerializeToString())(*feeds)


def _sum_graph(k, rows=(4, 3, 5, 2, 6), extra=True, alpha=1.0, dynamic=False):
    """sum_i a_i^T g_i (+ a plain term), as the autodiff sums partial gradients: a left chain."""
    g = Graph("sum")
    feeds, total = [], None
    for i in range(k):
        n = rows[i % len(rows)]
        a = g.input((None if dynamic else n, 3), np.float64, f"a{i}")
        b = g.input((None if dynamic else n, 4), np.float64, f"g{i}")
        feeds += [RNG.standard_normal((n, 3)), RNG.standard_normal((n, 4))]
        with g.building():
            term = op.Gemm(a, b, transA=1, alpha=alpha)
            total = term if total is None else op.Add(total, term)
    if extra:
        c = g.input((3, 4), np.float64, "c")
        feeds.append(RNG.standard_normal((3, 4)))
        with g.building():
            total = op.Add(total, c)
    g.outputs, g.output_names = [total], ["out"]
    return g, feeds


@pytest.mark.parametrize("dynamic", [False, True])
def test_sum_of_products_becomes_one_gemm(dynamic):
    g, feeds = _sum_graph(5, alpha=0.5, dynamic=dynamic)
    want = _run(g, feeds)[0]
    g, changed = batch_gemm_sums(g)
    assert changed
    g = optimize(g.verify(), verify=True)
    kinds = [n.op_type for n in g.nodes()]
    assert kinds.count("Gemm") == 1 and kinds.count("Concat") == 2 and kinds.count("Add") == 1
    np.testing.assert_allclose(_run(g, feeds)[0], want, rtol=1e-12, atol=1e-12)


def test_second_run_reports_no_change():
    g, _ = _sum_graph(4)
    g, changed = batch_gemm_sums(g)
    assert changed
    g = optimize(g, verify=True)
    _, changed = batch_gemm_sums(g)
    assert not changed


def test_short_sums_and_shared_products_are_left_alone():
    g, _ = _sum_graph(2, extra=False)
    assert not batch_gemm_sums(g)[1]  # two products: not worth a Concat
    g, feeds = _sum_graph(4, extra=False)
    first = next(n for n in g.nodes() if n.op_type == "Gemm")
    g.outputs.append(first.out)  # a product used elsewhere stays; the other three batch
    g.output_names.append("first")
    want = _run(g, feeds)
    g, changed = batch_gemm_sums(g)
    assert changed
    g = optimize(g, verify=True)
    assert [n.op_type for n in g.nodes()].count("Gemm") == 2
    for got, w in zip(_run(g, feeds), want):
        np.testing.assert_allclose(got, w, rtol=1e-12)


def test_recurrent_weight_gradient_is_one_gemm():
    """A weight used at every step of an unrolled recurrence: d loss / d r."""
    g = Graph("rec")
    x = g.input((6, 2, 3), np.float64, "x")
    r = g.input((3, 3), np.float64, "r")
    with g.building():
        steps = op.Split(x, np.ones(6, np.int64), axis=0)
        h = None
        for s in steps:
            xt = op.Squeeze(s, np.array([0]))
            h = op.Tanh(xt if h is None else op.Add(xt, op.MatMul(h, r)))
        loss = op.ReduceSum(h, keepdims=0)
        (dr,) = gradients(g, loss, [r])
    g.outputs, g.output_names = [dr], ["dr"]
    feeds = [RNG.standard_normal((6, 2, 3)), RNG.standard_normal((3, 3)) * 0.5]
    plain = optimize(g, passes=tuple(p for p in _default_passes() if p is not batch_gemm_sums), verify=True)
    want = _run(plain, feeds)[0]
    g = optimize(g, verify=True)
    products = [n for n in g.nodes() if n.op_type == "Gemm" and n.attrs.get("transA") == 1]
    assert len(products) == 1
    np.testing.assert_allclose(_run(g, feeds)[0], want, rtol=1e-12)


def _default_passes():
    from horn.compiler.passes.manager import DEFAULT_PASSES

    return DEFAULT_PASSES
