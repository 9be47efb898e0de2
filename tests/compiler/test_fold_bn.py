"""fold_batch_norm: per-channel constant scales and shifts fold into the constant weights of the
Conv/Gemm/MatMul before them; `changed` says when, the graph verifies, and onnxruntime computes
the same outputs before and after. Then whole models: the exported predict program of
Dense/Conv2D -> BatchNormalization has no Mul/Add after the Gemm/Conv and equals the unfolded one."""

import numpy as np
import onnx
import pytest

import horn as keras
from horn.compiler import OPS, Graph, op, optimize, to_onnx
from horn.compiler.passes import DEFAULT_PASSES
from horn.compiler.passes.dce import eliminate_dead_code
from horn.compiler.passes.fold_bn import fold_batch_norm
from horn.frontend import programs
from horn.runtime import Program

RNG = np.random.default_rng(11)


def f32(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape).astype(np.float32)


X = f32(5, 4)
W = f32(4, 3)
WT = np.ascontiguousarray(W.T)
B = f32(3)
S = f32(3, low=0.5, high=2.0)
T = f32(3)
X3 = f32(2, 5, 4)
XIMG = f32(2, 3, 6, 6)
WCONV = f32(4, 3, 3, 3)
BCONV = f32(4)
SC = f32(4, 1, 1, low=0.5, high=2.0)
TC = f32(4, 1, 1)


def run(graph, feeds):
    graph.output_names = [f"out{i}" for i in range(len(graph.outputs))]
    return Program(to_onnx(graph).SerializeToString())(*feeds)


def op_types(graph):
    return sorted(n.op_type for n in graph.nx)


def fold(build, feeds):
    """Build, run, fold to a fixpoint (with dead-code elimination), run again; outputs equal."""
    g = Graph("t")
    ins = [g.input(f.shape, f.dtype, f"in{i}") for i, f in enumerate(feeds)]
    with g.building():
        outs = build(*ins)
    g.outputs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    g.verify()
    before = run(g, feeds)
    g, changed = fold_batch_norm(g)
    g.verify()
    g = optimize(g, passes=(fold_batch_norm, eliminate_dead_code))
    g.verify()
    after = run(g, feeds)
    for b, a in zip(before, after):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    return g, changed


CASES = [
    ("gemm-mul-add", lambda x: op.Add(op.Mul(op.Gemm(x, W, B), S), T), X, ["Gemm"]),
    ("gemm-transB", lambda x: op.Add(op.Mul(op.Gemm(x, WT, B, transB=1), S), T), X, ["Gemm"]),
    ("gemm-no-bias", lambda x: op.Add(op.Mul(op.Gemm(x, W), S), T), X, ["Gemm"]),
    ("gemm-alpha-beta", lambda x: op.Add(op.Mul(op.Gemm(x, W, B, alpha=0.5, beta=2.0), S), T), X, ["Gemm"]),
    ("gemm-const-first", lambda x: op.Add(T, op.Mul(S, op.Gemm(x, W, B))), X, ["Gemm"]),
    ("gemm-row-shaped", lambda x: op.Add(op.Mul(op.Gemm(x, W, B), S[None]), T[None]), X, ["Gemm"]),
    ("gemm-scalar-scale", lambda x: op.Mul(op.Gemm(x, W, B), np.float32(3.0)), X, ["Gemm"]),
    ("matmul-3d-bias", lambda x: op.Add(op.Mul(op.Add(op.MatMul(x, W), B), S), T), X3, ["Add", "MatMul"]),
    ("matmul-3d-scale-only", lambda x: op.Mul(op.MatMul(x, W), S), X3, ["MatMul"]),
]


@pytest.mark.parametrize("build, x, left", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_folds(build, x, left):
    g, changed = fold(build, (x,))
    assert changed
    assert op_types(g) == left


NOT_FOLDED = [
    # the weights are program inputs (a training program)
    ("weights-are-inputs", lambda x, w: op.Add(op.Mul(op.Gemm(x, w, B), S), T), (X, W)),
    # a constant that varies along the batch axis is not per-channel
    ("per-row-constant", lambda x: op.Mul(op.Gemm(x, W, B), f32(5, 1)), (X,)),
    # the Gemm's output is used twice: folding would need a second Gemm
    ("gemm-used-twice", lambda x: (lambda y: [op.Mul(y, S), op.Relu(y)])(op.Gemm(x, W, B)), (X,)),
    # the scale broadcasts the output to a bigger shape
    ("broadcasting-up", lambda x: op.Mul(op.Gemm(x, W, B), f32(2, 1, 3)), (X,)),
    # a non-linear op in between
    ("relu-between", lambda x: op.Mul(op.Relu(op.Gemm(x, W, B)), S), (X,)),
]


@pytest.mark.parametrize("build, feeds", [c[1:] for c in NOT_FOLDED], ids=[c[0] for c in NOT_FOLDED])
def test_leaves_alone(build, feeds):
    g, changed = fold(build, feeds)
    assert not changed
    assert "Mul" in op_types(g)


needs_conv = pytest.mark.skipif("Conv" not in OPS, reason="Conv is not in horn's op set yet")


@needs_conv
@pytest.mark.parametrize("build, left", [
    (lambda x: op.Add(op.Mul(op.Conv(x, WCONV, BCONV), SC), TC), ["Conv"]),
    (lambda x: op.Add(op.Mul(op.Conv(x, WCONV), SC), TC), ["Conv"]),
    (lambda x: op.Add(op.Mul(op.Conv(x, WCONV, BCONV, pads=[1, 1, 1, 1], strides=[2, 2]), SC[None]), TC),
     ["Conv"]),
    (lambda x: op.Mul(op.Conv(x, f32(6, 1, 3, 3), group=3), f32(6, 1, 1)), ["Conv"]),
], ids=["conv-bias", "conv-no-bias", "conv-strided-4d-scale", "conv-grouped"])
def test_folds_conv(build, left):
    g, changed = fold(build, (XIMG,))
    assert changed and op_types(g) == left


@needs_conv
def test_conv_per_pixel_constant_is_left():
    g, changed = fold(lambda x: op.Mul(op.Conv(x, WCONV, BCONV), f32(1, 1, 4, 4)), (XIMG,))
    assert not changed


# -- whole models ---------------------------------------------------------------------------------
def bn_weights(c, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 1.5, c), rng.uniform(-0.5, 0.5, c), rng.uniform(-1, 1, c), rng.uniform(0.5, 2, c)]


def exported_and_unfolded(model, x, tmp_path):
    path = tmp_path / "model.onnx"
    model.export(str(path), verbose=False)
    exported = onnx.load(str(path))
    onnx.checker.check_model(exported, full_check=True)
    spec = [((None,) + x.shape[1:], x.dtype)]
    unfolded = optimize(programs.predict_graph(model, spec),
                        passes=tuple(p for p in DEFAULT_PASSES if p is not fold_batch_norm))
    unfolded.output_names = list(model.output_names)
    plain = Program(to_onnx(unfolded).SerializeToString())(x)[0]
    return exported, plain


def after(proto, op_type):
    """The op types that read the output of the (single) `op_type` node."""
    (node,) = [n for n in proto.graph.node if n.op_type == op_type]
    return [n.op_type for n in proto.graph.node if node.output[0] in n.input]


def test_dense_bn_exports_one_gemm(tmp_path):
    x = f32(9, 6)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.BatchNormalization()])
    model.layers[1].set_weights([w.astype(np.float32) for w in bn_weights(5, 1)])
    exported, plain = exported_and_unfolded(model, x, tmp_path)
    assert [n.op_type for n in exported.graph.node] == ["Gemm"]
    np.testing.assert_allclose(model.predict(x, verbose=0), plain, rtol=1e-5, atol=1e-5)
    ort = Program(exported.SerializeToString())(x)[0]
    np.testing.assert_allclose(ort, plain, rtol=1e-5, atol=1e-5)


def test_dense_bn_relu_keeps_the_relu(tmp_path):
    x = f32(9, 6)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.BatchNormalization(),
                              keras.layers.Activation("relu")])
    model.layers[1].set_weights([w.astype(np.float32) for w in bn_weights(5, 2)])
    exported, plain = exported_and_unfolded(model, x, tmp_path)
    assert [n.op_type for n in exported.graph.node] == ["Gemm", "Relu"]
    np.testing.assert_allclose(model.predict(x, verbose=0), plain, rtol=1e-5, atol=1e-5)


def test_sequence_dense_bn_folds_into_matmul(tmp_path):
    x = f32(3, 7, 6)
    model = keras.Sequential([keras.Input((7, 6)), keras.layers.Dense(5), keras.layers.BatchNormalization()])
    model.layers[1].set_weights([w.astype(np.float32) for w in bn_weights(5, 3)])
    exported, plain = exported_and_unfolded(model, x, tmp_path)
    assert sorted(n.op_type for n in exported.graph.node) == ["Add", "MatMul"]
    np.testing.assert_allclose(model.predict(x, verbose=0), plain, rtol=1e-5, atol=1e-5)


def test_training_program_is_not_folded():
    """In the training step the weights are inputs: BN stays as batch statistics."""
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.BatchNormalization()])
    model.compile(optimizer="sgd", loss="mse")
    graph, _ = programs.train_graph(model, [((None, 6), np.float32)], [((None, 5), np.float32)],
                                    model._training_state())
    types = [n.op_type for n in programs.compile_graph(graph).graph.node]
    assert "ReduceMean" in types and "Mul" in types


@pytest.mark.skipif(not hasattr(keras.layers, "Conv2D"), reason="Conv2D is not in horn yet")
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_bn_exports_one_conv(tmp_path, data_format):
    shape = (8, 8, 3) if data_format == "channels_last" else (3, 8, 8)
    x = f32(2, *shape)
    axis = -1 if data_format == "channels_last" else 1
    model = keras.Sequential([keras.Input(shape), keras.layers.Conv2D(4, 3, data_format=data_format),
                              keras.layers.BatchNormalization(axis=axis)])
    model.layers[1].set_weights([w.astype(np.float32) for w in bn_weights(4, 4)])
    exported, plain = exported_and_unfolded(model, x, tmp_path)
    assert "Mul" not in after(exported, "Conv") and "Add" not in after(exported, "Conv")
    assert {n.op_type for n in exported.graph.node} <= {"Conv", "Transpose"}
    np.testing.assert_allclose(model.predict(x, verbose=0), plain, rtol=1e-5, atol=1e-5)
