"""Run passes until none changes the graph."""

import os

from .cse import eliminate_common_subexpressions
from .dce import eliminate_dead_code
from .fold import fold_constants
from .fold_bn import fold_batch_norm
from .gemm import fuse_gemm
from .gemm_sum import batch_gemm_sums
from .leading_sum import sum_leading_axes_by_matmul
from .scan_hoist import hoist_scan_invariants
from .scan_outputs import prune_scan_outputs
from .simplify import simplify
from .transpose import sink_transposes
from .unpool_mask import mask_before_unpool

# fold_batch_norm before fuse_gemm: it folds into a MatMul + bias that fuse_gemm would turn
# into Reshape(Gemm(Reshape(x))) when x has more than two axes.
DEFAULT_PASSES = (fold_constants, simplify, sink_transposes, eliminate_common_subexpressions, fold_batch_norm,
                  fuse_gemm, batch_gemm_sums, sum_leading_axes_by_matmul, prune_scan_outputs, hoist_scan_invariants,
                  mask_before_unpool, eliminate_dead_code)

# Tests set HORN_VERIFY_PASSES=1 so every pass is followed by Graph.verify().
_VERIFY = os.environ.get("HORN_VERIFY_PASSES") == "1"


def optimize(graph, passes=DEFAULT_PASSES, max_rounds=10, verify=None):
    """Apply `passes` in order, repeatedly, until a whole round changes nothing."""
    verify = _VERIFY if verify is None else verify
    for _ in range(max_rounds):
        any_change = False
        for p in passes:
            graph, changed = p(graph)
            if verify:
                try:
                    graph.verify()
                except ValueError as e:
                    raise ValueError(f"after pass {p.__name__}: {e}") from None
            any_change |= changed
        if not any_change:
            break
    return graph
