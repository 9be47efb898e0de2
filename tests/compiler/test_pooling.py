"""Pooling, Resize and RandomUniformLike beyond the op table (op_cases.py): MaxPool's gradient on
tied windows goes to exactly one element (the first maximum, as Keras on TensorFlow and JAX do),
the training graph pools once, the shape rules follow onnxruntime (ceil_mode), gradients take the
fast forms measured in pooling.py, and random draws change per run but repeat with a seed."""

import numpy as np
import pytest

from horn.compiler import Graph, gradients, op, optimize, to_onnx
from horn.runtime import Program


def _grad_program(x_shape, build, dtype=np.float32, dynamic=False):
    """Graph computing (y, d sum(y * w) / dx) for y = build(x); returns (program, graph)."""
    g = Graph("t")
    shape = ((None,) + tuple(x_shape[1:])) if dynamic else x_shape
    x = g.input(shape, dtype, "x")
    with g.building():
        y = build(x)
        wv = g.input(y.shape, dtype, "w")
        loss = op.ReduceSum(op.Mul(y, wv), keepdims=0)
        (dx,) = gradients(g, loss, [x])
    g.outputs, g.output_names = [y, dx], ["y", "dx"]
    g = optimize(g, verify=True)
    return Program(to_onnx(g).SerializeToString()), g


def _first_max_grad(x, w, k, s, pads):
    """numpy: each window's weight goes to its first maximum in row-major window order."""
    n, c, h, wd = x.shape
    pt, pl, pb, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    oh, ow = w.shape[2:]
    dxp = np.zeros_like(xp)
    for b in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    win = xp[b, ch, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
                    r, q = np.unravel_index(np.argmax(win), win.shape)  # argmax: first maximum
                    dxp[b, ch, i * s[0] + r, j * s[1] + q] += w[b, ch, i, j]
    return dxp[:, :, pt:pt + h, pl:pl + wd]


TIE_CASES = {  # id: (x shape, kernel, strides, pads)
    "k2-s2": ((2, 3, 6, 8), (2, 2), (2, 2), (0, 0, 0, 0)),
    "k2-s2-odd-tail": ((1, 2, 7, 5), (2, 2), (2, 2), (0, 0, 0, 0)),
    "k2-s2-end-pads": ((2, 2, 5, 5), (2, 2), (2, 2), (0, 0, 1, 1)),  # padding="same"
    "k3-s2-overlap-pads": ((2, 2, 7, 6), (3, 3), (2, 2), (1, 1, 1, 1)),
    "k3-s1-overlap": ((1, 2, 5, 5), (3, 3), (1, 1), (0, 0, 0, 0)),
}


@pytest.mark.parametrize("case", list(TIE_CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_gradient_goes_to_the_first_maximum_of_each_window(case, dtype):
    shape, k, s, pads = TIE_CASES[case]
    rng = np.random.default_rng(1)
    # Like a sparse ReLU output on a coarse grid: windows of zeros and windows with tied maxima.
    x = np.where(rng.random(shape) < 0.7, 0, np.round(rng.uniform(0, 2, shape) * 2) / 2).astype(dtype)
    program, _ = _grad_program(shape, lambda v: op.MaxPool(v, kernel_shape=list(k), strides=list(s),
                                                          pads=list(pads)), dtype)
    oh = (shape[2] + pads[0] + pads[2] - k[0]) // s[0] + 1
    ow = (shape[3] + pads[1] + pads[3] - k[1]) // s[1] + 1
    w = rng.uniform(0.5, 1.5, shape[:2] + (oh, ow)).astype(dtype)  # no two windows cancel
    y, dx = program(x, w)
    want = _first_max_grad(x.astype(np.float64), w.astype(np.float64), k, s, pads)
    np.testing.assert_allclose(dx, want, rtol=1e-6)
    # Exactly one element per window receives the gradient: with unit weights the gradient
    # sums to the number of windows, and no element of a window of zeros gets a share.
    _, ones_dx = program(x, np.ones_like(w))
    assert ones_dx.sum() == pytest.approx(w.size)
    assert set(np.unique(ones_dx)) <= set(range(10))  # whole windows, never fractions
    zero_windows = (y == 0).sum()
    assert zero_windows > 0, "the input should have windows of tied zeros"


def test_max_pool_gradient_on_a_window_of_equal_values_picks_its_first_element():
    x = np.zeros((1, 1, 2, 4), np.float32)
    x[0, 0, :, 2:] = 5.0
    program, _ = _grad_program(x.shape, lambda v: op.MaxPool(v, kernel_shape=[2, 2], strides=[2, 2]))
    _, dx = program(x, np.array([[[[3.0, 7.0]]]], np.float32))
    np.testing.assert_array_equal(dx[0, 0], [[3, 0, 7, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("k, s, dtype, scatter", [
    ((2, 2), (2, 2), np.float32, "MaxUnpool"),  # disjoint windows: indices never repeat
    ((2, 3), (2, 3), np.float16, "MaxUnpool"),
    ((3, 3), (2, 2), np.float32, "ScatterND"),  # overlapping windows can share a maximum: summed
    ((2, 2), (2, 2), np.float64, "ScatterND"),  # onnxruntime has no double MaxUnpool
])
def test_training_graph_pools_once_and_scatters_to_its_indices(k, s, dtype, scatter):
    """The forward MaxPool also emits the Indices its gradient scatters to: one pooling node."""
    _, g = _grad_program((2, 3, 8, 9), lambda v: op.Relu(op.MaxPool(v, kernel_shape=list(k), strides=list(s))),
                         dtype=dtype)
    pools = [n for n in g.nodes() if n.op_type == "MaxPool"]
    assert len(pools) == 1 and len(pools[0].outputs) == 2
    assert pools[0].attrs["storage_order"] == 0
    ops = [n.op_type for n in g.nodes()]
    (other,) = {"MaxUnpool", "ScatterND"} - {scatter}
    assert ops.count(scatter) == 1 and other not in ops


def test_a_ceil_mode_window_past_the_end_scatters():
    """MaxUnpool refuses an output smaller than its windows' extent: such pools keep ScatterND."""
    x = np.arange(50, dtype=np.float32).reshape(1, 2, 5, 5)
    program, g = _grad_program(x.shape, lambda v: op.MaxPool(v, kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1))
    assert "ScatterND" in _ops_in(g) and "MaxUnpool" not in _ops_in(g)
    w = np.arange(18, dtype=np.float32).reshape(1, 2, 3, 3)
    _, dx = program(x, w)
    np.testing.assert_array_equal(dx, _first_max_grad(x, w, (2, 2), (2, 2), (0, 0, 1, 1)))


def test_disjoint_windows_gradient_with_a_dynamic_batch_and_a_tail():
    """MaxUnpool's output takes the input's run-time shape: rows past the last window get zeros."""
    rng = np.random.default_rng(3)
    program, g = _grad_program((2, 2, 7, 5), lambda v: op.MaxPool(v, kernel_shape=[2, 2], strides=[2, 2]),
                               dynamic=True)
    assert "MaxUnpool" in [n.op_type for n in g.nodes()]
    for n in (1, 3):
        x = rng.permutation(np.arange(n * 70, dtype=np.float32)).reshape(n, 2, 7, 5)
        w = rng.standard_normal((n, 2, 3, 2)).astype(np.float32)
        _, dx = program(x, w)
        np.testing.assert_array_equal(dx, _first_max_grad(x, w, (2, 2), (2, 2), (0, 0, 0, 0)))


def test_inference_graph_pools_without_indices():
    g = Graph("inf")
    x = g.input((None, 3, 8, 8), np.float32, "x")
    with g.building():
        y = op.MaxPool(x, kernel_shape=[2, 2], strides=[2, 2])
    g.outputs = [y]
    model = to_onnx(optimize(g))
    (pool,) = [n for n in model.graph.node if n.op_type == "MaxPool"]
    assert len(pool.output) == 1 and not any(a.name == "storage_order" for a in pool.attribute)


@pytest.mark.parametrize("dynamic", [False, True])
def test_max_pool_gradient_with_a_dynamic_batch(dynamic):
    rng = np.random.default_rng(2)
    program, _ = _grad_program((3, 2, 5, 5), lambda v: op.MaxPool(v, kernel_shape=[3, 3], strides=[2, 2],
                                                                 pads=[1, 1, 1, 1]), dynamic=dynamic)
    for n in ((3,) if not dynamic else (1, 4)):
        x = rng.permutation(np.arange(n * 50, dtype=np.float32)).reshape(n, 2, 5, 5)
        w = rng.standard_normal((n, 2, 3, 3)).astype(np.float32)
        _, dx = program(x, w)
        np.testing.assert_allclose(dx, _first_max_grad(x, w, (3, 3), (2, 2), (1, 1, 1, 1)), rtol=1e-6)


def _ops_in(g):
    return [n.op_type for n in g.nodes()]


@pytest.mark.parametrize("attrs, route", [
    (dict(kernel_shape=[2, 2], strides=[2, 2]), "Resize"),
    (dict(kernel_shape=[2, 3], strides=[2, 3]), "Resize"),  # tail rows: Resize, then Pad
    (dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]), "ConvTranspose"),
    (dict(kernel_shape=[2, 2], strides=[1, 1]), "ConvTranspose"),
    (dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1), "ConvTranspose"),  # partial last window
])
def test_average_pool_gradient_routes_and_values(attrs, route):
    rng = np.random.default_rng(3)
    shape = (2, 3, 7, 8)
    program, g = _grad_program(shape, lambda v: op.AveragePool(v, **attrs))
    assert route in _ops_in(g) and ({"Resize", "ConvTranspose"} - {route}).isdisjoint(_ops_in(g))
    x = rng.standard_normal(shape).astype(np.float32)
    y_shape = op.AveragePool(x, **attrs).shape
    w = rng.standard_normal(y_shape).astype(np.float32)
    _, dx = program(x, w)
    # The gradient is the transpose of the (linear) pooling: <dx, e_i> = <w, pool(e_i)>.
    want = np.zeros(x.size)
    for i in range(x.size):
        e = np.zeros(x.size, np.float32)
        e[i] = 1
        want[i] = (op.AveragePool(e.reshape(shape), **attrs) * w).sum()
    np.testing.assert_allclose(dx.reshape(-1), want, rtol=1e-5, atol=1e-6)


def test_resize_nearest_gradient_is_a_block_sum():
    """Integer nearest upsampling on trailing axes: the gradient is one AveragePool (times k)."""
    rng = np.random.default_rng(4)
    scales = np.array([1, 1, 2, 3], np.float32)
    program, g = _grad_program((2, 3, 4, 5), lambda v: op.Resize(
        v, None, scales, mode="nearest", coordinate_transformation_mode="asymmetric", nearest_mode="floor"))
    assert "AveragePool" in _ops_in(g) and "MatMul" not in _ops_in(g)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((2, 3, 8, 15)).astype(np.float32)
    y, dx = program(x, w)
    np.testing.assert_array_equal(y, x.repeat(2, axis=2).repeat(3, axis=3))
    np.testing.assert_allclose(dx, w.reshape(2, 3, 4, 2, 5, 3).sum(axis=(3, 5)), rtol=1e-5, atol=1e-6)


def _keras_bilinear(x, size):
    """TensorFlow's half-pixel bilinear resize (Keras's UpSampling2D/ops.image.resize), NCHW."""
    def weights(n_in, n_out):
        scale = n_in / n_out
        src = (np.arange(n_out) + 0.5) * scale - 0.5
        lo = np.floor(src)
        frac = src - lo
        lo_i = np.clip(lo, 0, n_in - 1).astype(int)
        hi_i = np.clip(lo + 1, 0, n_in - 1).astype(int)
        m = np.zeros((n_out, n_in))
        np.add.at(m, (np.arange(n_out), lo_i), 1 - frac)
        np.add.at(m, (np.arange(n_out), hi_i), frac)
        return m
    mh, mw = weights(x.shape[2], size[0]), weights(x.shape[3], size[1])
    return np.einsum("oh,nchw,pw->ncop", mh, x, mw)


@pytest.mark.parametrize("size", [(8, 10), (6, 15), (3, 4)])
def test_resize_linear_half_pixel_matches_tensorflow_bilinear(size):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    g = Graph("bilinear")
    xv = g.input(x.shape, np.float32, "x")
    with g.building():
        y = op.Resize(xv, None, None, np.array((2, 3) + size, np.int64), mode="linear")
    g.outputs = [y]
    (got,) = Program(to_onnx(g).SerializeToString())(x)
    np.testing.assert_allclose(got, _keras_bilinear(x.astype(np.float64), size), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(op.Resize(x, None, None, np.array((2, 3) + size, np.int64), mode="linear"),
                               got, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n, kernel, strides, pads, want", [
    (5, 2, 2, (0, 0), 3),  # ceil keeps a window that starts inside the input
    (4, 2, 2, (0, 1), 2),  # ... and drops one that would start in the end padding (onnxruntime)
    (7, 3, 2, (1, 1), 4),
])
def test_ceil_mode_output_sizes_follow_onnxruntime(n, kernel, strides, pads, want):
    x = np.arange(n * n, dtype=np.float32).reshape(1, 1, n, n)
    attrs = dict(kernel_shape=[kernel] * 2, strides=[strides] * 2, pads=[pads[0]] * 2 + [pads[1]] * 2,
                 ceil_mode=1)
    g = Graph("ceil")
    xv = g.input(x.shape, np.float32, "x")
    with g.building():
        y = op.MaxPool(xv, **attrs)
    assert y.shape == (1, 1, want, want)
    g.outputs = [y]
    (got,) = Program(to_onnx(g).SerializeToString())(x)
    assert got.shape == y.shape
    np.testing.assert_array_equal(got, op.MaxPool(x, **attrs))


@pytest.mark.parametrize("op_type, shape, attrs, match", [
    ("MaxPool", (1, 2, 3, 3), dict(kernel_shape=[4, 4]), "larger than spatial axis 0"),
    ("AveragePool", (1, 2, 5, 2), dict(kernel_shape=[2, 3]), "larger than spatial axis 1"),
    ("MaxPool", (1, 2, 5, 5), dict(kernel_shape=[2, 2], strides=[0, 1]), "positive strides"),
    ("MaxPool", (1, 2, 5), dict(kernel_shape=[2, 2]), "needs 1 kernel sizes"),
    ("AveragePool", (2, 5), dict(kernel_shape=[2]), "1 to 3 spatial axes"),
    ("MaxPool", (1, 2, 5, 5), dict(kernel_shape=[2, 2], pads=[-1, 0, 0, 0]), "non-negative pads"),
])
def test_bad_pooling_attributes_raise_while_tracing(op_type, shape, attrs, match):
    g = Graph("bad")
    x = g.input(shape, np.float32, "x")
    with g.building(), pytest.raises(ValueError, match=match):
        getattr(op, op_type)(x, **attrs)


def _uniform_program(shape, dynamic=False, **attrs):
    g = Graph("rand")
    x = g.input(((None,) + shape[1:]) if dynamic else shape, np.float32, "x")
    with g.building():
        y = op.RandomUniformLike(x, **attrs)
    g.outputs = [y]
    return Program(to_onnx(optimize(g)).SerializeToString())


def test_random_uniform_like_draws_anew_each_run_and_repeats_with_a_seed():
    x = np.zeros((64, 50), np.float32)
    program = _uniform_program(x.shape, low=-2.0, high=3.0, seed=11.0)
    (a,), (b,) = program(x), program(x)
    assert a.shape == x.shape and a.dtype == np.float32
    assert a.min() >= -2.0 and a.max() < 3.0 and abs(a.mean() - 0.5) < 0.1 and abs(a.std() - 5 / 12 ** 0.5) < 0.1
    assert not np.array_equal(a, b)  # a new draw each run
    again = _uniform_program(x.shape, low=-2.0, high=3.0, seed=11.0)
    np.testing.assert_array_equal(again(x)[0], a)  # the same sequence from a fresh session
    (c,) = _uniform_program((None, 50), dynamic=True)(np.zeros((3, 50), np.float32))
    assert c.shape == (3, 50)


def test_random_uniform_like_is_never_folded_or_merged():
    eager = op.RandomUniformLike(np.zeros((4, 4), np.float32))  # on numpy: numpy's generator
    assert eager.shape == (4, 4) and 0 <= eager.min() and eager.max() < 1
    g = Graph("rand")
    with g.building():
        c = g.constant(np.zeros((4, 4), np.float32))
        y = op.Sub(op.RandomUniformLike(c), op.RandomUniformLike(c))
    g.outputs = [y]
    g = optimize(g)
    assert [n.op_type for n in g.nodes()].count("RandomUniformLike") == 2
    (d,) = Program(to_onnx(g).SerializeToString())()
    assert np.abs(d).max() > 0


def test_for_cuda_turns_max_unpool_into_scatter_with_the_same_values():
    """onnxruntime's CUDA EP has no MaxUnpool: programs for it scatter instead (same outputs)."""
    from horn.compiler.passes.device import for_cuda

    rng = np.random.default_rng(4)
    _, g = _grad_program((2, 3, 6, 5), lambda v: op.MaxPool(v, kernel_shape=[2, 2], strides=[2, 2],
                                                            pads=[0, 0, 0, 1]), dynamic=True)
    x = rng.permutation(np.arange(180, dtype=np.float32)).reshape(2, 3, 6, 5)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    before = Program(to_onnx(g).SerializeToString())(x, w)
    g, changed = for_cuda(g)
    g = optimize(g, verify=True)
    assert changed and "MaxUnpool" not in _ops_in(g) and "ScatterND" in _ops_in(g)
    after = Program(to_onnx(g).SerializeToString())(x, w)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)



def _relu_pool_gradient_graphs(x_shape, dtype=np.float32):
    """d sum(MaxPool(Relu(x)) * w) / dx, optimized with and without mask_before_unpool."""
    from horn.compiler.passes import DEFAULT_PASSES

    def build():
        g = Graph("t")
        x = g.input(x_shape, dtype, "x")
        with g.building():
            y = op.MaxPool(op.Relu(x), kernel_shape=[2, 2], strides=[2, 2])
            wv = g.input(y.shape, dtype, "w")
            (dx,) = gradients(g, op.ReduceSum(op.Mul(y, wv), keepdims=0), [x])
        g.outputs, g.output_names = [y, dx], ["y", "dx"]
        return g
    without = tuple(p for p in DEFAULT_PASSES if p.__name__ != "mask_before_unpool")
    return optimize(build(), verify=True), optimize(build(), passes=without, verify=True)


def test_relu_mask_moves_before_the_unpool_with_the_same_gradient():
    rng = np.random.default_rng(5)
    moved, kept = _relu_pool_gradient_graphs((3, 2, 6, 6))
    greater = [n for n in moved.nodes() if n.op_type == "Greater"]
    assert len(greater) == 1 and greater[0].inputs[0].producer.op_type == "MaxPool"  # the pooled y
    assert greater[0].inputs[0].shape == (3, 2, 3, 3)
    assert [n.op_type for n in kept.nodes() if n.op_type == "Greater"] == ["Greater"]
    # Negative values (ReLU zeros, so whole windows of zeros), positive ones and ties.
    x = np.round(rng.uniform(-2, 2, (3, 2, 6, 6)) * 2).astype(np.float32) / 2
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    got = Program(to_onnx(moved).SerializeToString())(x, w)
    want = Program(to_onnx(kept).SerializeToString())(x, w)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    assert (want[0] == 0).any() and (want[1] != 0).any()


def test_a_mask_on_other_values_stays_after_the_unpool():
    """Only the mask of the pool's own input may move: a ReLU mask of another tensor stays."""
    from horn.compiler.passes.unpool_mask import mask_before_unpool

    g = Graph("t")
    x = g.input((1, 1, 4, 4), np.float32, "x")
    other = g.input((1, 1, 4, 4), np.float32, "other")
    with g.building():
        y, idx = op.MaxPool(x, kernel_shape=[2, 2], strides=[2, 2], storage_order=0)
        spread = op.MaxUnpool(op.Mul(y, 2.0), idx, op.Shape(x), kernel_shape=[2, 2], strides=[2, 2])
        out = op.Mul(spread, op.Cast(op.Greater(other, np.zeros((), np.float32)), to=1))
    g.outputs, g.output_names = [out], ["out"]
    _, changed = mask_before_unpool(g)
    assert not changed
