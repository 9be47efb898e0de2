"""Every op's numpy reference (used for constant folding and eager mode) agrees with onnxruntime,
and its shape/dtype rule predicts what onnxruntime produces."""

import numpy as np
import pytest

from horn.compiler import OPS

from .op_cases import ALL_CASES, build, reference, run


def test_every_op_has_a_reference_case():
    # Scan's body is a graph in one dtype: its reference is checked in test_scan.py.
    assert set(OPS) - {"Scan"} - {c.op for c in ALL_CASES} == set()


@pytest.mark.parametrize("case", [c.param for c in ALL_CASES])
def test_reference_matches_onnxruntime(case):
    b = build(case)
    b.graph.outputs = list(b.outputs)
    got = run(b.graph, b.feeds, [f"out{k}" for k in range(len(b.outputs))])
    want = reference(case)
    assert len(got) == len(want) == len(b.outputs)
    for k, (g, w, v) in enumerate(zip(got, want, b.outputs)):
        w = np.asarray(w)
        assert g.dtype == w.dtype == v.dtype, \
            f"output {k}: onnxruntime {g.dtype}, reference {w.dtype}, shape rule {v.dtype}"
        assert g.shape == w.shape == v.shape, \
            f"output {k}: onnxruntime {g.shape}, reference {w.shape}, shape rule {v.shape}"
        if g.dtype.kind == "f":
            tol = 1e-12 if g.dtype == np.float64 else 1e-6
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=f"output {k}")
        else:
            np.testing.assert_array_equal(g, w, err_msg=f"output {k}")
