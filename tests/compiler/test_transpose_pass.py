"""sink_transposes: `changed` is True exactly when a Transpose moves or cancels, the graph
verifies, and onnxruntime computes the same outputs before and after. Then whole models: a
channels_last Conv2D -> BatchNormalization -> ReLU -> Conv2D -> MaxPooling2D stack has no
layout Transpose between its convolutions, in the predict program and in the training step."""

import networkx as nx
import numpy as np
import pytest

import horn as keras
from horn.compiler import Graph, op, to_onnx
from horn.compiler.passes.transpose import sink_transposes
from horn.frontend import programs
from horn.runtime import Program

RNG = np.random.default_rng(5)
NHWC, NCHW = [0, 2, 3, 1], [0, 3, 1, 2]  # to channels_last, to channels-first
X = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)  # NCHW
Y = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
Y_NHWC = RNG.standard_normal((2, 4, 5, 3)).astype(np.float32)
Y_SWAPPED = RNG.standard_normal((2, 5, 4, 3)).astype(np.float32)
C_LAST = RNG.uniform(0.5, 2, 3).astype(np.float32)  # per-channel, channels_last broadcasting
S = np.array(1.5, np.float32)


def run(graph, feeds):
    graph.output_names = [f"out{i}" for i in range(len(graph.outputs))]
    return Program(to_onnx(graph).SerializeToString())(*feeds)


def op_types(graph):
    return sorted(n.op_type for n in graph.nx)


def sink(build, feeds):
    """One pass over the graph from build(*inputs), then passes to a fixpoint; outputs equal."""
    g = Graph("t")
    ins = [g.input(f.shape, f.dtype, f"in{i}") for i, f in enumerate(feeds)]
    with g.building():
        outs = build(*ins)
    g.outputs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    g.verify()
    before = run(g, feeds)
    g, changed = sink_transposes(g)
    g.verify()
    while True:
        g, again = sink_transposes(g)
        g.verify()
        if not again:
            break
    after = run(g, feeds)
    assert len(before) == len(after)
    for b, a in zip(before, after):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    return g, changed


def t(x, perm):
    return op.Transpose(x, perm=perm)


def relu_backward(y, g):
    return op.Where(op.Greater(y, np.float32(0)), g, np.float32(0))


SINKS = [
    ("relu-between-inverse-pair", lambda x: t(op.Relu(t(x, NHWC)), NCHW), (X,), ["Relu"]),
    ("unary-chain", lambda x: t(op.Tanh(op.Sigmoid(op.Neg(t(x, NHWC)))), NCHW), (X,),
     ["Neg", "Sigmoid", "Tanh"]),
    ("per-channel-constants", lambda x: t(op.Add(op.Mul(t(x, NHWC), C_LAST), C_LAST), NCHW), (X,),
     ["Add", "Mul"]),
    ("constant-first", lambda x: t(op.Sub(C_LAST, t(x, NHWC)), NCHW), (X,), ["Sub"]),
    ("scalar-input", lambda x, s: t(op.Mul(t(x, NHWC), s), NCHW), (X, S), ["Mul"]),
    ("same-transpose-on-both", lambda x, y: op.Add(t(x, NHWC), t(y, NHWC)), (X, Y), ["Add", "Transpose"]),
    ("relu-backward", lambda x, g: t(relu_backward(op.Relu(t(x, NHWC)), t(g, NHWC)), NCHW), (X, Y),
     ["Greater", "Relu", "Where"]),
    ("clip-and-cast", lambda x: t(op.Cast(op.Clip(t(x, NHWC), np.float32(-0.5), np.float32(0.5)), to=11),
                                  NCHW), (X,), ["Cast", "Clip"]),
    ("inference-dropout", lambda x: t(op.Dropout(t(x, NHWC), np.array(0.3, np.float32),
                                                 np.array(False))[0], NCHW), (X,), ["Dropout"]),
    ("identity-perm", lambda x: op.Relu(t(x, [0, 1, 2, 3])), (X,), ["Relu"]),
    ("pair-at-graph-output", lambda x: t(t(x, NHWC), NCHW), (X,), []),
    # a Transpose used elsewhere too stays for that use; the inverse pair below still cancels
    ("shared-transpose", lambda x: (lambda a: [a, t(op.Relu(a), NCHW)])(t(x, NHWC)), (X,),
     ["Relu", "Transpose"]),
]


@pytest.mark.parametrize("build, feeds, left", [c[1:] for c in SINKS], ids=[c[0] for c in SINKS])
def test_sinks_and_cancels(build, feeds, left):
    g, changed = sink(build, feeds)
    assert changed
    assert op_types(g) == left


KEEPS = [
    ("no-transpose", lambda x: op.Relu(op.Add(x, np.float32(1))), (X,)),
    # the other input is a full-size tensor in the transposed layout: it would need a Transpose too
    ("other-input-not-transposed", lambda x, y: op.Add(t(x, NHWC), y), (X, Y_NHWC)),
    ("different-perms", lambda x, y: op.Add(t(x, NHWC), t(y, [0, 2, 1, 3])), (X, Y_SWAPPED)),
    # the Transpose stays for its other use, and a new one below would not cancel: no gain
    ("no-gain", lambda x: (lambda a: [a, op.Relu(a)])(t(x, NHWC)), (X,)),
    ("training-dropout", lambda x: t(op.Dropout(t(x, NHWC), np.array(0.0, np.float32),
                                                np.array(True))[0], NCHW), (X,)),
    ("non-elementwise", lambda x: t(op.Softmax(t(x, NHWC), axis=-1), NCHW), (X,)),
]


@pytest.mark.parametrize("build, feeds", [c[1:] for c in KEEPS], ids=[c[0] for c in KEEPS])
def test_leaves_alone(build, feeds):
    g, changed = sink(build, feeds)
    assert not changed


def test_broadcast_constant_of_lower_rank_is_permuted():
    """A (W, C) constant against NHWC data becomes a (1, C, 1, W) one against NCHW."""
    c = RNG.standard_normal((5, 3)).astype(np.float32)  # x is (2, 3, 4, 5) NCHW -> NHWC (2, 4, 5, 3)
    g, changed = sink(lambda x: t(op.Mul(t(x, NHWC), c), NCHW), (X,))
    assert changed and op_types(g) == ["Mul"]
    (mul,) = list(g.nx)
    assert [v.shape for v in mul.inputs if v.const is not None] == [(1, 3, 1, 5)]


# -- whole models ---------------------------------------------------------------------------------
LAYOUT_PERMS = ([0, 2, 3, 1], [0, 3, 1, 2])
CONV_OPS = {"Conv", "ConvTranspose", "MaxPool"}
# Leaving the convolutional stack: Flatten's Reshape and the Dense layers (and their gradients).
EXITS = {"Reshape", "Gemm", "MatMul"}


def layout_transposes(proto):
    """(all Transposes that move the channel axis, those of them between convolutions): with a
    conv-family op upstream and one downstream, on paths that don't leave the conv stack."""
    nodes = proto.graph.node
    g = nx.DiGraph()
    producer = {o: i for i, n in enumerate(nodes) for o in n.output}
    for i, n in enumerate(nodes):
        g.add_node(i)
        for name in n.input:
            if name in producer:
                g.add_edge(producer[name], i)
    inner = g.subgraph([i for i, n in enumerate(nodes) if n.op_type not in EXITS])
    layout, between = [], []
    for i, n in enumerate(nodes):
        if n.op_type != "Transpose" or list([a.ints for a in n.attribute if a.name == "perm"][0]) \
                not in LAYOUT_PERMS:
            continue
        layout.append(n.name)
        up = any(nodes[a].op_type in CONV_OPS for a in nx.ancestors(inner, i))
        down = any(nodes[d].op_type in CONV_OPS for d in nx.descendants(inner, i))
        if up and down:
            between.append(n.name)
    return layout, between


def conv_stack(pool, relu_layer):
    L = keras.layers
    layers = [keras.Input((10, 10, 3)), L.Conv2D(4, 3), L.BatchNormalization(),
              L.ReLU() if relu_layer else L.Activation("relu"), L.Conv2D(5, 3, activation="relu")]
    layers += [L.MaxPooling2D(2)] if pool else [L.Conv2D(3, 3)]
    model = keras.Sequential(layers + [L.Flatten(), L.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


STACKS = [
    pytest.param(True, False, id="conv-bn-relu-conv-maxpool", marks=pytest.mark.skipif(
        not hasattr(keras.layers, "MaxPooling2D"), reason="MaxPooling2D is not in horn yet")),
    pytest.param(True, True, id="conv-bn-ReLU-conv-maxpool", marks=pytest.mark.skipif(
        not hasattr(keras.layers, "MaxPooling2D"), reason="MaxPooling2D is not in horn yet")),
    pytest.param(False, False, id="conv-bn-relu-conv-conv"),
]


@pytest.mark.skipif(not hasattr(keras.layers, "Conv2D"), reason="Conv2D is not in horn yet")
@pytest.mark.parametrize("pool, relu_layer", STACKS)
def test_conv_stack_has_no_transposes_between_convs(pool, relu_layer):
    """Predict: the input's Transpose and Flatten's remain; the training step adds only the
    gradient of Flatten's (back to channels-first)."""
    from horn.compiler import optimize
    from horn.compiler.passes import DEFAULT_PASSES

    model = conv_stack(pool, relu_layer)
    spec = [((None, 10, 10, 3), np.float32)]
    predict = programs.compile_graph(programs.predict_graph(model, spec))
    layout, between = layout_transposes(predict)
    assert between == [] and len(layout) == 2
    graph, _ = programs.train_graph(model, spec, [((None, 2), np.float32)], model._training_state())
    layout, between = layout_transposes(programs.compile_graph(graph))
    assert between == [] and len(layout) == 3
    # Without the pass the same programs do have them (so the checks above can fail).
    without = tuple(p for p in DEFAULT_PASSES if p is not sink_transposes)
    plain = to_onnx(optimize(programs.predict_graph(model, spec), passes=without))
    assert len(layout_transposes(plain)[1]) >= 2
    graph, _ = programs.train_graph(model, spec, [((None, 2), np.float32)], model._training_state())
    # (Conv's weight gradient is a Gemm, not a Conv: the backward pass adds at least 2 more.)
    assert len(layout_transposes(to_onnx(optimize(graph, passes=without)))[1]) >= 2
    # And the optimized programs still train and predict.
    x = RNG.standard_normal((4, 10, 10, 3)).astype(np.float32)
    y = RNG.standard_normal((4, 2)).astype(np.float32)
    first = model.train_on_batch(x, y)
    for _ in range(3):
        last = model.train_on_batch(x, y)
    assert last < first
    assert model.predict(x, verbose=0).shape == (4, 2)
