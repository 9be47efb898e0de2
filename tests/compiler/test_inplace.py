"""plan_inplace: which state updates may be written into their input's buffer. Each case
builds a step graph and checks the chain the planner returns (or that it refuses), and the
accepted plans are run on onnxruntime with the links bound onto the input's buffer against
the same program run with fresh output buffers."""

import numpy as np
import onnxruntime as ort

from horn.compiler import Graph, op, to_onnx
from horn.compiler.inplace import plan_inplace

ROWS, COLS = 6, 4


def _step(build, n_state=1, extra_inputs=()):
    """A graph whose state inputs s0.. go through build(*states, *extras) -> (next states,
    other outputs)."""
    g = Graph("step")
    states = [g.input((ROWS, COLS), np.float32, f"s{i}") for i in range(n_state)]
    extras = [g.input(shape, dtype, f"e{i}") for i, (shape, dtype) in enumerate(extra_inputs)]
    with g.building():
        nexts, others = build(*states, *extras)
    g.outputs = list(nexts) + list(others)
    g.output_names = [f"s{i}_next" for i in range(n_state)] + [f"other{i}" for i in range(len(others))]
    return g, states, nexts


def _plan(build, **kw):
    g, states, nexts = _step(build, **kw)
    return plan_inplace(g, states, nexts), g, states


def test_an_elementwise_update_is_planned_with_its_links():
    # s' = (s * 0.9) + 1: two links, the first an intermediate the step exposes
    (chain,), g, (s,) = _plan(lambda s: ([op.Add(op.Mul(s, np.float32(0.9)), np.float32(1.0))], []))
    assert [v.producer.op_type for v in chain] == ["Mul", "Add"]


def test_a_state_passed_through_has_the_empty_chain():
    plans, _, _ = _plan(lambda s: ([s], []))
    assert plans == [[]]


def test_a_reader_that_may_run_after_the_write_refuses_the_plan():
    # s' = s - 1, and an output that reads s but is not an ancestor of the write
    plans, _, _ = _plan(lambda s: ([op.Sub(s, np.float32(1.0))], [op.ReduceSum(s, keepdims=0)]))
    assert plans == [None]


def test_a_reader_that_the_write_depends_on_is_fine():
    # s' = s - mean(s): the ReduceSum reads s, and the Sub waits for it
    def build(s):
        total = op.ReduceSum(s, keepdims=1)
        return [op.Sub(s, op.Div(total, np.float32(ROWS * COLS)))], []
    plans, _, _ = _plan(build)
    assert plans[0] is not None and len(plans[0]) == 1


def test_a_reader_through_a_view_of_the_buffer_refuses_the_plan():
    # s' = s - g(s) where g reads s through a Reshape, and a Transpose of the same Reshape feeds
    # only another output: onnxruntime's Reshape may return a view of s's buffer, so the
    # Transpose reads the buffer too and may run after the write (it is not its ancestor).
    # (An embedding's gradient read a kernel updated in place this way: a wrong table step.)
    def build(s):
        view = op.Reshape(s, np.array([COLS, ROWS], np.int64))
        grad = op.Reshape(op.Mul(view, np.float32(0.5)), np.array([ROWS, COLS], np.int64))
        return [op.Sub(s, grad)], [op.Transpose(view, perm=[1, 0])]
    plans, _, _ = _plan(build)
    assert plans == [None]


def test_a_view_read_only_on_the_way_to_the_write_is_fine():
    def build(s):
        view = op.Reshape(s, np.array([COLS, ROWS], np.int64))
        grad = op.Reshape(op.Mul(view, np.float32(0.5)), np.array([ROWS, COLS], np.int64))
        return [op.Sub(s, grad)], []
    plans, _, _ = _plan(build)
    assert plans[0] is not None and len(plans[0]) == 1


def test_rows_gathered_before_the_decay_refuse_and_after_it_are_fine():
    idx = np.array([[1], [4]], np.int64)

    def gathered_from(decayed_source):
        def build(s):
            decayed = op.Mul(s, np.float32(0.9))
            src = decayed if decayed_source else s
            rows = op.Gather(src, np.array([1, 4], np.int64), axis=0)
            return [op.ScatterND(decayed, idx, op.Add(rows, np.float32(1.0)))], []
        return build

    assert _plan(gathered_from(False))[0] == [None]
    (chain,), _, _ = _plan(gathered_from(True))
    assert [v.producer.op_type for v in chain] == ["Mul", "ScatterND"]


def test_only_full_shape_elementwise_links_carry_the_chain():
    # the column sums broadcast against s: the chain goes through the full-shape operand
    (chain,), _, _ = _plan(lambda s: ([op.Add(op.ReduceSum(s, np.array([0], np.int64), keepdims=1), s)], []))
    assert [v.producer.op_type for v in chain] == ["Add"]
    # a reshape there and back moves elements: no chain
    assert _plan(lambda s: ([op.Reshape(op.Reshape(s, np.array([COLS, ROWS], np.int64)),
                                        np.array([ROWS, COLS], np.int64))], []))[0] == [None]


def test_a_link_that_is_also_an_output_or_a_state_read_as_output_refuse():
    def link_out(s):
        mid = op.Mul(s, np.float32(2.0))
        return [op.Add(mid, np.float32(1.0))], [mid]
    assert _plan(link_out)[0] == [None]
    assert _plan(lambda s: ([op.Mul(s, np.float32(2.0))], [s]))[0] == [None]


def test_a_scatter_may_overwrite_its_data_but_not_read_it_as_updates():
    def rows_of(s):  # updates sliced from s: the Slice runs before the ScatterND
        rows = op.Slice(s, np.array([0], np.int64), np.array([2], np.int64), np.array([0], np.int64))
        return [op.ScatterND(s, np.array([[3], [5]], np.int64), rows)], []
    (chain,), _, _ = _plan(rows_of)
    assert [v.producer.op_type for v in chain] == ["ScatterND"]
    reversed_rows = np.arange(ROWS)[::-1].reshape(-1, 1).astype(np.int64)
    assert _plan(lambda s: ([op.ScatterND(s, reversed_rows, s)], []))[0] == [None]


def test_two_states_one_update_reading_the_other_state():
    # momentum-like: v' = 0.9 v + g;  p' = p - v'. p' reads v' after v' is written: both fine.
    def build(p, v, g):
        v_next = op.Add(op.Mul(v, np.float32(0.9)), g)
        return [op.Sub(p, v_next), v_next], []
    plans, _, _ = _plan(build, n_state=2, extra_inputs=[((ROWS, COLS), np.float32)])
    assert plans[0] is not None and plans[1] is not None


def _run_in_place(g, states, plans, feeds):
    """The emitted program run once with each planned state's links and next value bound onto
    its input's buffer; returns the states after the run."""
    names = list(g.output_names)
    for k, chain in enumerate(plans):
        for j, link in enumerate(chain[:-1]):
            g.outputs = g.outputs + [link]
            names.append(f"s{k}_link{j}")
    g.output_names = names
    session = ort.InferenceSession(to_onnx(g).SerializeToString(), providers=["CPUExecutionProvider"])
    binding = session.io_binding()
    buffers = {}
    for name, value in feeds.items():
        buffers[name] = ort.OrtValue.ortvalue_from_numpy(value.copy())
        binding.bind_ortvalue_input(name, buffers[name])
    for out in session.get_outputs():
        state = out.name.split("_")[0]
        if state in buffers:
            binding.bind_ortvalue_output(out.name, buffers[state])
        else:
            binding.bind_output(out.name)
    session.run_with_iobinding(binding)
    # copies: an OrtValue's numpy() is a view of memory the OrtValue's owner frees
    return [np.array(buffers[f"s{k}"].numpy()) for k in range(len(states))]


def test_planned_updates_bound_in_place_give_the_fresh_buffer_results():
    idx = np.array([[1], [4], [1]], np.int64)

    def build(w, m, g):  # an embedding table's Adam-like step, rows gathered from the decayed slot
        md = op.Mul(m, np.float32(0.9))
        rows = op.Gather(md, np.array([1, 4, 1], np.int64), axis=0)
        m_next = op.ScatterND(md, idx, op.Add(rows, op.Gather(g, np.array([1, 4, 1], np.int64), axis=0)))
        w_next = op.Sub(w, op.Div(m_next, op.Add(op.Sqrt(op.Abs(m_next)), np.float32(1e-3))))
        return [w_next, m_next], []

    g, states, nexts = _step(build, n_state=2, extra_inputs=[((ROWS, COLS), np.float32)])
    plans = plan_inplace(g, states, nexts)
    assert [len(p) for p in plans] == [1, 2]  # w: the Sub; m: the Mul and the ScatterND
    rng = np.random.default_rng(0)
    feeds = {"s0": rng.standard_normal((ROWS, COLS)).astype(np.float32),
             "s1": rng.standard_normal((ROWS, COLS)).astype(np.float32),
             "e0": rng.standard_normal((ROWS, COLS)).astype(np.float32)}
    session = ort.InferenceSession(to_onnx(g).SerializeToString(), providers=["CPUExecutionProvider"])
    want = session.run(["s0_next", "s1_next"], feeds)
    got = _run_in_place(g, states, plans, feeds)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
