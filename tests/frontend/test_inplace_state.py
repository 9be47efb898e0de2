"""States updated in place (compiler/inplace.py, runtime StateSets): training with the planned
states bound onto their own buffers gives what training with two buffers per state gives,
for each optimizer (an embedding table's row-sparse update included), BatchNormalization's
moving statistics and a frozen layer; the hazards are refused; a later program that cannot
update a shared state in place gives it back its second buffer."""

import numpy as np
import pytest

import horn as keras
from horn.compiler import Graph, op, to_onnx
from horn.compiler.inplace import plan_inplace
from horn.frontend import programs
from horn.runtime import providers
from horn.runtime.program import BoundProgram, StateSets

OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(0.01),
    "amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "rmsprop-centered-momentum": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "sgd-nesterov": lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "adagrad": lambda: keras.optimizers.Adagrad(0.1),
    "adadelta": lambda: keras.optimizers.Adadelta(1.0),
}


def _model(optimizer):
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((5,), dtype="int32"),
                              keras.layers.Embedding(1000, 8),  # >= 3 rows a position (32 x 5): row-sparse
                              keras.layers.Flatten(),
                              keras.layers.Dense(6, activation="relu", name="frozen"),
                              keras.layers.BatchNormalization(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.get_layer("frozen").trainable = False
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def _train(optimizer, in_place, monkeypatch, steps=4):
    with monkeypatch.context() as m:
        if not in_place:
            m.setattr(programs, "plan_inplace", lambda graph, xs, ys: [None] * len(xs))
        model = _model(optimizer)
        rng = np.random.default_rng(0)
        for _ in range(steps):
            model.train_on_batch(rng.integers(0, 1000, (4, 5)), rng.integers(0, 2, (4, 1)).astype(np.float32))
    (program,) = model._train_programs.values()
    return model, program


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_training_in_place_equals_training_with_two_buffers(name, monkeypatch):
    monkeypatch.setitem(providers._settings, "threads", 1)  # the same summation order in both runs
    fast, program = _train(OPTIMIZERS[name](), True, monkeypatch)
    slow, _ = _train(OPTIMIZERS[name](), False, monkeypatch)
    state, other = fast._training_state(), slow._training_state()
    index = {id(v): i for i, v in enumerate(state.variables)}
    in_place = set(program.inplace)
    table, frozen = fast.layers[0], fast.layers[2]
    norm, last = fast.layers[3], fast.layers[4]
    # the table, the frozen layer and BatchNormalization's moving statistics are updated in
    # place; the last kernel and gamma are not: their reads that give the gradient below them
    # (dX = dY W^T) are no ancestors of their updates, so they may come after them
    assert {index[id(v)] for v in table.weights + frozen.weights + norm.non_trainable_weights} <= in_place
    assert index[id(norm.gamma)] not in in_place and index[id(last.kernel)] not in in_place
    for k, name in enumerate(state.names):
        np.testing.assert_allclose(state.sets.read(k), other.sets.read(k), rtol=1e-6, atol=1e-7, err_msg=name)


def test_the_table_slots_are_updated_in_place_with_their_scatter(monkeypatch):
    model, program = _train(keras.optimizers.Adam(0.01), True, monkeypatch, steps=1)
    names = model._training_state().names
    links = {names[k]: v for k, v in program.inplace.items()}
    assert links["slot_0_momentum"] == ["slot_0_momentum__link0"]  # the decayed slot, then its scatter
    assert links["slot_0_velocity"] == ["slot_0_velocity__link0"]
    assert program.sets.values[0][0] is program.sets.values[1][0]  # one buffer for the table


def _step_program(sets, build):
    """A BoundProgram updating the one state s to build(s, x) = (next value, other outputs)
    for a batch x, with the compiler's in-place plan; returns it and whether it planned."""
    g = Graph("step")
    x = g.input((None, 3), np.float32, "x")
    s = g.input((3,), np.float32, "s")
    with g.building():
        nxt, others = build(s, op.ReduceSum(x, np.array([0], np.int64), keepdims=0))
    (chain,) = plan_inplace(g, [s], [nxt])
    links = [] if chain is None else chain[:-1]
    g.outputs = [nxt] + others + links
    g.output_names = (["s__next"] + [f"other{j}" for j in range(len(others))]
                      + [f"s__link{j}" for j in range(len(links))])
    plan = {} if chain is None else {0: g.output_names[1 + len(others):]}
    program = BoundProgram(to_onnx(g).SerializeToString(), None, ["s"], ["x"], state_outputs=["s__next"],
                           shared_state=sets, inplace=plan)
    return program, chain is not None


def test_a_later_program_that_cannot_update_in_place_unshares_the_state():
    sets = StateSets([np.ones(3, np.float32)], "cpu")
    one = [np.ones((1, 3), np.float32)]

    def twice_plus_x(s, x):  # two links: the Mul's output is bound onto the state's buffer too
        return op.Add(op.Mul(s, np.float32(2.0)), x), []

    a, planned = _step_program(sets, twice_plus_x)
    assert planned and a.inplace == {0: ["s__link0"]}
    assert sets.shared == {0} and sets.values[0][0] is sets.values[1][0]
    a.run(one)
    np.testing.assert_array_equal(sets.read(0), [3, 3, 3])

    def minus_mean(s, x):  # the ReduceMean reads s, and the Add that overwrites s waits for it
        return op.Add(s, op.Neg(op.ReduceMean(s, np.array([0], np.int64), keepdims=1))), []

    b, planned = _step_program(sets, minus_mean)
    assert planned and sets.shared == {0}
    b.run(one)
    np.testing.assert_array_equal(sets.read(0), [0, 0, 0])

    def plus_x_and_sum(s, x):  # an output reading s that the update does not wait for
        return op.Add(s, x), [op.ReduceSum(s, keepdims=0)]

    c, planned = _step_program(sets, plus_x_and_sum)
    assert not planned and sets.shared == set() and sets.values[0][0] is not sets.values[1][0]
    c.run(one)
    np.testing.assert_array_equal(sets.read(0), [1, 1, 1])
    a.run(one)  # binds again: its link goes to a scratch buffer, its next value to the other set
    np.testing.assert_array_equal(sets.read(0), [3, 3, 3])
    c.run(one)
    a.run(one)
    np.testing.assert_array_equal(sets.read(0), [9, 9, 9])
    b.run(one)
    np.testing.assert_array_equal(sets.read(0), [0, 0, 0])


def test_a_kernel_read_through_a_reshape_is_not_overwritten_before_the_input_gradient():
    """Embedding -> x @ reshape(kernel): the table's gradient reads the kernel through the
    Reshape's view of its buffer; updating the kernel in place first gave a wrong table step."""
    from horn import ops

    class Projection(keras.layers.Layer):
        def build(self, input_shape):
            self.k = self.add_weight(name="k", shape=(8, 2, 4))

        def call(self, x):
            return ops.matmul(x, ops.reshape(self.k, (8, 8)))

    x = np.array([[3, 1, 4, 1, 5, 0], [2, 7, 0, 0, 0, 0], [6, 6, 6, 2, 8, 9]], "int32")
    rng = np.random.default_rng(0)
    y = rng.standard_normal((3, 6, 8)).astype("float32")
    inputs = keras.Input((6,), dtype="int32")
    model = keras.Model(inputs, Projection()(keras.layers.Embedding(12, 8)(inputs)))
    model.set_weights([(0.5 * rng.standard_normal(w.shape)).astype("float32") for w in model.weights])
    table, kernel = (w.astype(np.float64) for w in model.get_weights())
    flat = kernel.reshape(8, 8)
    d_out = 2 * (table[x] @ flat - y) / y.size
    d_table = np.zeros_like(table)
    np.add.at(d_table, x, d_out @ flat.T)
    d_kernel = np.einsum("bti,btj->ij", table[x], d_out).reshape(kernel.shape)
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    model.train_on_batch(x, y)
    new_table, new_kernel = model.get_weights()
    np.testing.assert_allclose(table - new_table, d_table, atol=1e-6)
    np.testing.assert_allclose(kernel - new_kernel, d_kernel, atol=1e-6)
