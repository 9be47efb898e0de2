"""Optimizers on an embedding table's gradient (ScatterND of rows into zeros): the row-sparse
forms (Keras's rule on the rows the batch touched, the others decayed or kept) against horn's
dense forms (bit-identical on the touched rows, and on the others but for Adam's decay, within
an ulp), Adam against a float64 numpy transcription of Keras 3's rule, and end to end through
Embedding + fit."""

import numpy as np
import pytest

import horn as keras
from horn import ops
from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.compiler.opdefs.gather import row_totals, scattered_rows
from horn.runtime import Program

VOCAB, DIM, LENGTH = 40, 6, 9


def sparse_form(optimizer):
    """The optimizer taking the row-sparse form on this file's small table (40 rows for 32 x 9
    positions a step: below the size where it pays, test_row_sparse_form_only_on_big_tables)."""
    optimizer._sparse_rows_per_position = 0.0
    return optimizer


def dense_form(optimizer):
    """The optimizer on the dense gradient: an Identity hides the scatter from its row-sparse form."""
    update = optimizer.update
    optimizer.update = lambda p, g, slots, lr, t: update(p, ops.identity(g), slots, lr, t)
    return optimizer


def _step_program(optimizer, vocab=VOCAB):
    """One step of loss = sum(Gather(W, ids) * upstream): inputs (W, *slots, ids, upstream, lr,
    iterations), outputs (W, *slots)."""
    g = Graph("table_step")
    w = g.input((vocab, DIM), np.float32, "w")
    slots = [g.input((vocab, DIM), np.float32, name) for name in optimizer.slot_names]
    ids = g.input((None, LENGTH), np.int32, "ids")
    upstream = g.input((None, LENGTH, DIM), np.float32, "upstream")
    lr = g.input((), np.float32, "lr")
    iterations = g.input((), np.int64, "iterations")
    with g.building():
        loss = op.ReduceSum(op.Mul(op.Gather(w, ids, axis=0), upstream), keepdims=0)
        (dw,) = gradients(g, loss, [w])
        (new_w,), (new_slots,) = optimizer.apply([w], [dw], [slots], lr, iterations)
    g.outputs, g.output_names = [new_w, *new_slots], ["w_next", *[f"{n}_next" for n in optimizer.slot_names]]
    return optimize(g, verify=True)


def _table_scatter_adds(graph, vocab=VOCAB):
    """ScatterND-add nodes that write a whole table: the dense gradient."""
    return [n for n in graph.nodes() if n.op_type == "ScatterND" and n.attrs["reduction"] == "add"
            and n.out.shape == (vocab, DIM)]


def _keras_adam(w, slots, grad, lr, t, b1=0.9, b2=0.999, epsilon=1e-7, amsgrad=False):
    """Keras 3's Adam in float64 on the dense gradient (t: the iteration count before the step)."""
    m, v = slots[0] + (grad - slots[0]) * (1 - b1), slots[1] + (grad**2 - slots[1]) * (1 - b2)
    alpha = lr * np.sqrt(1 - float(np.float32(b2)) ** (t + 1)) / (1 - float(np.float32(b1)) ** (t + 1))
    denom = np.maximum(slots[2], v) if amsgrad else v
    return [w - alpha * m / (np.sqrt(denom) + epsilon), m, v] + ([denom] if amsgrad else [])


def _batch(rng, batch, n_ids=8):
    """ids drawn from few values (many repeats; VOCAB - n_ids rows untouched), and upstream."""
    ids = rng.integers(0, n_ids, (batch, LENGTH)).astype(np.int32)
    return ids, rng.standard_normal((batch, LENGTH, DIM)).astype(np.float32)


@pytest.mark.parametrize("amsgrad", [False, True], ids=["adam", "amsgrad"])
def test_row_sparse_adam_matches_keras_rule(amsgrad):
    graph = _step_program(sparse_form(keras.optimizers.Adam(amsgrad=amsgrad)))
    assert not _table_scatter_adds(graph), "the dense table gradient is still computed"
    program = Program(to_onnx(graph).SerializeToString())
    rng = np.random.default_rng(0)
    w = rng.standard_normal((VOCAB, DIM)).astype(np.float32)
    slots = [np.abs(rng.standard_normal((VOCAB, DIM))).astype(np.float32) * 0.1 for _ in range(3 if amsgrad else 2)]
    for t, batch in enumerate((5, 3, 7)):  # dynamic batch axis; several steps
        ids, up = _batch(rng, batch)
        grad = np.zeros((VOCAB, DIM))
        np.add.at(grad, ids.reshape(-1), up.reshape(-1, DIM).astype(np.float64))
        want = _keras_adam(w.astype(np.float64), [s.astype(np.float64) for s in slots], grad, 0.01, t,
                           amsgrad=amsgrad)
        got = program(w, *slots, ids, up, np.array(0.01, np.float32), np.array(t, np.int64))
        for name, g_, w_ in zip(["w", "m", "v", "vhat"], got, want):
            np.testing.assert_allclose(g_, w_, rtol=2e-6, atol=1e-7, err_msg=name)
        w, slots = got[0], got[1:]


OPTIMIZERS = [  # (id, make, the rows the batch did not touch are bit-identical too)
    ("adam", lambda: keras.optimizers.Adam(0.01), False),
    ("amsgrad", lambda: keras.optimizers.Adam(0.01, amsgrad=True), False),
    ("sgd", lambda: keras.optimizers.SGD(0.1), True),
    ("sgd-momentum", lambda: keras.optimizers.SGD(0.1, momentum=0.9), True),
    ("sgd-nesterov", lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True), True),
    ("rmsprop", lambda: keras.optimizers.RMSprop(0.01), True),
    ("rmsprop-momentum", lambda: keras.optimizers.RMSprop(0.01, momentum=0.5), True),
    ("rmsprop-centered-momentum", lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True), True),
    ("adagrad", lambda: keras.optimizers.Adagrad(0.1), True),
    ("adadelta", lambda: keras.optimizers.Adadelta(1.0), True),
    ("adamax", lambda: keras.optimizers.Adamax(0.01), False),
    ("nadam", lambda: keras.optimizers.Nadam(0.01), False),
    ("lion", lambda: keras.optimizers.Lion(0.01), False),
]


@pytest.mark.parametrize("make, exact", [c[1:] for c in OPTIMIZERS], ids=[c[0] for c in OPTIMIZERS])
def test_row_sparse_form_matches_the_dense_form(make, exact):
    sparse_graph, dense_graph = _step_program(sparse_form(make())), _step_program(dense_form(make()))
    assert not _table_scatter_adds(sparse_graph) and len(_table_scatter_adds(dense_graph)) == 1
    sparse, dense = (Program(to_onnx(g).SerializeToString()) for g in (sparse_graph, dense_graph))
    rng = np.random.default_rng(1)
    w = rng.standard_normal((VOCAB, DIM)).astype(np.float32)
    # slots positive, the centered RMSprop's average gradient (slot 2) small beside its mean square
    slots = [(0.1 + 0.1 * np.abs(rng.standard_normal((VOCAB, DIM))) if k < 2
              else 0.01 * rng.standard_normal((VOCAB, DIM))).astype(np.float32)
             for k in range(len(make().slot_names))]
    touched = set()
    for t, batch in enumerate((4, 2)):
        ids, up = _batch(rng, batch)
        touched |= set(ids.reshape(-1))
        args = (w, *slots, ids, up, np.array(0.01, np.float32), np.array(t, np.int64))
        got, want = sparse(*args), dense(*args)
        rows = sorted(set(ids.reshape(-1)))
        others = np.setdiff1d(np.arange(VOCAB), rows)
        for name, g_, w_ in zip(["w", *make().slot_names], got, want):
            if exact:
                np.testing.assert_array_equal(g_[rows], w_[rows], err_msg=name)
                np.testing.assert_array_equal(g_[others], w_[others], err_msg=name)
            else:  # Adam (Adamax, Nadam, Lion): s * beta against Keras's s + (0 - s)(1 - beta), within ulps,
                # and on the touched rows s * beta + (1 - beta) g: ulps of the slots' size (~0.2)
                np.testing.assert_allclose(g_[others], w_[others], rtol=3e-7, atol=1e-7, err_msg=name)
                np.testing.assert_allclose(g_[rows], w_[rows], rtol=3e-7, atol=1e-7, err_msg=name)
        w, slots = want[0], want[1:]  # the next step starts from the same state for both
    assert len(touched) < VOCAB


@pytest.mark.parametrize("make, rows_per_position", [(keras.optimizers.SGD, 2), (keras.optimizers.Adam, 3)],
                         ids=["sgd", "adam"])
def test_row_sparse_form_only_on_big_tables(make, rows_per_position):
    """Per position a step scatters (a dynamic batch counted as 32) the row-sparse form costs
    about what the dense form costs per table row: it is taken from 2 (Adam: 3) rows each."""
    positions = 32 * LENGTH
    for vocab, sparse in ((rows_per_position * positions - 1, False), (rows_per_position * positions, True)):
        assert not _table_scatter_adds(_step_program(make(), vocab), vocab) == sparse, vocab


def test_row_totals_sum_repeats_in_scatter_order():
    """row_totals gives every position its index's whole dense row, for any batch size (-3 and 7
    are one row)."""
    g = Graph("row_totals")
    ids = g.input((None, 4), np.int64, "ids")
    ups = g.input((None, 4, 3), np.float64, "ups")
    with g.building():
        dense = op.ScatterND(np.zeros((10, 3)), op.Unsqueeze(ids, np.array([-1], np.int64)), ups,
                             reduction="add")
        indices, updates = scattered_rows(dense)
        idx, totals = row_totals(indices, updates, 10)
    g.outputs, g.output_names = [dense, idx, totals], ["dense", "idx", "totals"]
    program = Program(to_onnx(optimize(g, verify=True)).SerializeToString())
    rng = np.random.default_rng(2)
    for batch in (1, 5):
        i = rng.integers(-3, 8, (batch, 4))  # negative indices count from the end, as in Gather
        d, idx_, totals_ = program(i, rng.standard_normal((batch, 4, 3)))
        np.testing.assert_array_equal(idx_[:, 0], i.reshape(-1))
        np.testing.assert_array_equal(totals_, d[i.reshape(-1)])


def test_scattered_rows_recognizes_only_scatters_into_zeros():
    g = Graph("not_sparse")
    x = g.input((10, 3), np.float32, "x")
    idx = g.input((4, 1), np.int64, "idx")
    ups = g.input((4, 3), np.float32, "ups")
    with g.building():
        assert scattered_rows(op.ScatterND(x, idx, ups, reduction="add")) is None  # data not zeros
        assert scattered_rows(op.ScatterND(np.zeros((10, 3), np.float32), idx, ups)) is None  # no add
        assert scattered_rows(op.Add(x, x)) is None
        assert scattered_rows(op.ScatterND(np.zeros((10, 3), np.float32), idx, ups, reduction="add")) is not None


def _embedding_model(optimizer):
    keras.config.set_random_seed(3)
    model = keras.Sequential([keras.Input((LENGTH,), dtype="int32"), keras.layers.Embedding(VOCAB, DIM),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def test_embedding_fit_matches_dense_adam():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 12, (16, LENGTH)).astype(np.int32)
    y = rng.standard_normal((16, 1)).astype(np.float32)
    models = [_embedding_model(sparse_form(keras.optimizers.Adam(0.05))),
              _embedding_model(dense_form(keras.optimizers.Adam(0.05)))]
    start = models[0].layers[0].get_weights()[0]
    for model in models:
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    sparse, dense = (m.layers[0].get_weights()[0] for m in models)
    assert np.abs(sparse[:12] - start[:12]).min() > 1e-3  # the rows the data uses trained
    np.testing.assert_allclose(sparse, dense, rtol=1e-5, atol=1e-7)
