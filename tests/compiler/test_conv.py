"""Conv, ConvTranspose, Slice and Pad beyond the shared op table: the numpy references against
direct loop definitions, the adjoint relation between Conv and ConvTranspose, shape rules and
their errors, and the shape of the backward graph."""

import itertools

import numpy as np
import pytest

from horn.compiler import OPS, Graph, gradients, op, optimize

RNG = np.random.default_rng(7)


def _direct_conv(x, w, b, strides, pads, dilations, group):
    """y[n, o, p] = sum_{c in o's group, t} x_pad[n, c, p*s + t*d] w[o, c, t], by loops."""
    r = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(pads[i], pads[r + i]) for i in range(r)])
    o_ch, cg = w.shape[0], w.shape[1]
    og = o_ch // group
    out = [(xp.shape[2 + i] - (w.shape[2 + i] - 1) * dilations[i] - 1) // strides[i] + 1 for i in range(r)]
    y = np.zeros((x.shape[0], o_ch, *out))
    for o in range(o_ch):
        grp = o // og
        for p in itertools.product(*[range(n) for n in out]):
            for t in itertools.product(*[range(k) for k in w.shape[2:]]):
                at = tuple(p[i] * strides[i] + t[i] * dilations[i] for i in range(r))
                patch = xp[(slice(None), slice(grp * cg, (grp + 1) * cg)) + at]  # (N, cg)
                y[(slice(None), o) + p] += patch @ w[(o, slice(None)) + t]
    return y if b is None else y + b.reshape((-1,) + (1,) * r)


def _direct_conv_transpose(x, w, b, strides, pads, dilations, group, output_padding):
    """Scatter each input element through the kernel into the full output, then crop the pads."""
    r = x.ndim - 2
    cg, og = x.shape[1] // group, w.shape[1]
    k = w.shape[2:]
    full = [strides[i] * (x.shape[2 + i] - 1) + (k[i] - 1) * dilations[i] + 1 + output_padding[i]
            for i in range(r)]
    y = np.zeros((x.shape[0], group * og, *full))
    for c in range(x.shape[1]):
        grp = c // cg
        for i in itertools.product(*[range(n) for n in x.shape[2:]]):
            for t in itertools.product(*[range(n) for n in k]):
                at = tuple(i[a] * strides[a] + t[a] * dilations[a] for a in range(r))
                y[(slice(None), slice(grp * og, (grp + 1) * og)) + at] += \
                    x[(slice(None), c) + i][:, None] * w[(c, slice(None)) + t][None, :]
    crop = tuple(slice(pads[a], full[a] - pads[r + a]) for a in range(r))
    y = y[(slice(None), slice(None)) + crop]
    return y if b is None else y + b.reshape((-1,) + (1,) * r)


def _random_geometry(rank, rng):
    group = int(rng.choice([1, 2, 3]))
    return dict(
        group=group, cg=int(rng.integers(1, 3)), og=int(rng.integers(1, 3)),
        kernel=[int(rng.integers(1, 4)) for _ in range(rank)],
        strides=[int(rng.integers(1, 4)) for _ in range(rank)],
        dilations=[int(rng.integers(1, 3)) for _ in range(rank)],
        pads=[int(rng.integers(0, 3)) for _ in range(2 * rank)],
        sizes=[int(rng.integers(5, 9 if rank < 3 else 7)) for _ in range(rank)])


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_conv_reference_matches_direct_loops(rank):
    rng = np.random.default_rng(rank)
    checked = 0
    for _ in range(12):
        g = _random_geometry(rank, rng)
        eff = [(k - 1) * d + 1 for k, d in zip(g["kernel"], g["dilations"])]
        if any(n + g["pads"][i] + g["pads"][rank + i] < e for i, (n, e) in enumerate(zip(g["sizes"], eff))):
            continue
        x = rng.standard_normal((2, g["group"] * g["cg"], *g["sizes"]))
        w = rng.standard_normal((g["group"] * g["og"], g["cg"], *g["kernel"]))
        b = rng.standard_normal(g["group"] * g["og"])
        attrs = dict(strides=g["strides"], pads=g["pads"], dilations=g["dilations"], group=g["group"])
        got = OPS["Conv"].reference(x, w, b, **attrs)
        want = _direct_conv(x, w, b, g["strides"], g["pads"], g["dilations"], g["group"])
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_conv_transpose_reference_matches_direct_loops(rank):
    rng = np.random.default_rng(10 + rank)
    for _ in range(10):
        g = _random_geometry(rank, rng)
        g["pads"] = [min(p, k - 1) for p, k in zip(g["pads"], g["kernel"] * 2)]  # positive sizes
        opad = [int(rng.integers(0, s)) for s in g["strides"]]
        x = rng.standard_normal((2, g["group"] * g["cg"], *[n - 2 for n in g["sizes"]]))
        w = rng.standard_normal((g["group"] * g["cg"], g["og"], *g["kernel"]))
        attrs = dict(strides=g["strides"], pads=g["pads"], dilations=g["dilations"], group=g["group"],
                     output_padding=opad)
        got = OPS["ConvTranspose"].reference(x, w, None, **attrs)
        want = _direct_conv_transpose(x, w, None, g["strides"], g["pads"], g["dilations"], g["group"], opad)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_conv_transpose_is_the_adjoint_of_conv():
    """<Conv(x, w), y> == <x, ConvTranspose(y, w)>, with the output padding that recovers x's size."""
    x = RNG.standard_normal((2, 4, 10, 9))
    w = RNG.standard_normal((6, 2, 3, 2))
    attrs = dict(strides=[3, 2], pads=[1, 0, 2, 1], dilations=[1, 2], group=2)
    y = OPS["Conv"].reference(x, w, **attrs)
    dy = RNG.standard_normal(y.shape)
    extra = [n - (s * (o - 1) + (k - 1) * d + 1 - b - e) for n, s, o, k, d, b, e in
             zip(x.shape[2:], [3, 2], y.shape[2:], w.shape[2:], [1, 2], [1, 0], [2, 1])]
    dx = OPS["ConvTranspose"].reference(dy, w, output_padding=extra, **attrs)
    assert dx.shape == x.shape
    np.testing.assert_allclose(np.sum(y * dy), np.sum(x * dx), rtol=1e-12)


def _shape(op_type, *shapes, **attrs):
    g = Graph("shape")
    ins = [g.input(s, np.float32, f"in{i}") for i, s in enumerate(shapes)]
    with g.building():
        return getattr(op, op_type)(*ins, **attrs).shape


@pytest.mark.parametrize("shapes, attrs, want", [
    (((None, 3, 9), (4, 3, 3)), {}, (None, 4, 7)),
    (((None, 3, 8, 8), (4, 3, 3, 3)), dict(strides=[2, 2], pads=[1, 1, 1, 1]), (None, 4, 4, 4)),
    (((2, 4, 7, 9), (6, 2, 3, 3)), dict(group=2, dilations=[2, 3]), (2, 6, 3, 3)),
    (((1, 2, 5, 6, 7), (3, 2, 2, 3, 1)), dict(strides=[1, 2, 3], pads=[0, 1, 0, 0, 1, 2]), (1, 3, 4, 3, 3)),
    (((1, 2, 7, 6), (3, 2, 3, 3)), dict(strides=[2, 2], auto_pad="SAME_UPPER"), (1, 3, 4, 3)),
    (((1, 2, 7, 6), (3, 2, 3, 3)), dict(auto_pad="VALID"), (1, 3, 5, 4)),
], ids=["1d", "2d-s2-p1", "group-dilation", "3d", "same-upper", "valid"])
def test_conv_output_shapes(shapes, attrs, want):
    assert _shape("Conv", *shapes, **attrs) == want


@pytest.mark.parametrize("shapes, attrs, want", [
    (((None, 3, 5), (3, 2, 3)), {}, (None, 2, 7)),
    (((None, 3, 4, 4), (3, 2, 3, 3)), dict(strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1]),
     (None, 2, 8, 8)),
    (((2, 4, 3, 4), (4, 3, 3, 2)), dict(group=2, dilations=[2, 1]), (2, 6, 7, 5)),
], ids=["1d", "2d-s2-op1", "group-dilation"])
def test_conv_transpose_output_shapes(shapes, attrs, want):
    assert _shape("ConvTranspose", *shapes, **attrs) == want


@pytest.mark.parametrize("op_type, shapes, attrs, match", [
    ("Conv", ((1, 3, 4, 4), (2, 3, 5, 3)), {},
     r"kernel spans 5 positions.*more than the padded input's 4 .*\(1, 3, 4, 4\).*\(2, 3, 5, 3\)"),
    ("Conv", ((1, 3, 6, 6), (2, 3, 3, 3)), dict(dilations=[3, 1]), r"spans 7 positions \(size 3, dilation 3\)"),
    ("Conv", ((1, 4, 6, 6), (2, 3, 3, 3)), {}, r"input has 4 channels.*expects 3"),
    ("Conv", ((1, 4, 6, 6), (3, 2, 3, 3)), dict(group=2), r"3 output channels.*not divisible by group=2"),
    ("Conv", ((1, 3, 6, 6), (2, 3, 3, 3)), dict(strides=[0, 1]), r"positive strides"),
    ("Conv", ((1, 3, 6, 6), (2, 3, 3, 3)), dict(pads=[-1, 0, 0, 0]), r"non-negative pads"),
    ("Conv", ((1, 3, 6, 6), (2, 3, 3)), {}, r"same rank"),
    ("Conv", ((1, 3, 6, 6), (2, 3, 3, 3)), dict(kernel_shape=[2, 2]), r"kernel_shape \[2, 2\]"),
    ("ConvTranspose", ((1, 3, 4, 4), (2, 2, 3, 3)), {}, r"input has 3 channels.*expects 2"),
    ("ConvTranspose", ((1, 3, 2, 2), (3, 2, 1, 1)), dict(pads=[1, 1, 1, 1]), r"output size .* would be 0"),
    ("ConvTranspose", ((1, 3, 4, 4), (3, 2, 3, 3)), dict(strides=[2, 2], output_padding=[2, 0]),
     r"output_padding smaller than the strides"),
], ids=["kernel-larger-than-input", "dilated-kernel-too-large", "channels", "group-divides-output",
        "zero-stride", "negative-pad", "rank", "kernel-shape-attr", "transpose-channels",
        "transpose-negative-size", "transpose-output-padding"])
def test_shape_rule_errors(op_type, shapes, attrs, match):
    with pytest.raises(ValueError, match=match):
        _shape(op_type, *shapes, **attrs)


def test_eager_conv_raises_the_same_errors():
    with pytest.raises(ValueError, match="kernel spans 5 positions"):
        op.Conv(np.zeros((1, 1, 4, 4), np.float32), np.zeros((1, 1, 5, 5), np.float32))


def test_conv_transpose_output_shape_attribute_is_refused():
    with pytest.raises(NotImplementedError, match="output_shape"):
        _shape("ConvTranspose", (1, 2, 3, 3), (2, 2, 3, 3), output_shape=[7, 7])


def _backward(x_shape, w_shape, **attrs):
    g = Graph("bw")
    x, w = g.input(x_shape, np.float32, "x"), g.input(w_shape, np.float32, "w")
    with g.building():
        y = op.Conv(x, w, **attrs)
        loss = op.ReduceSum(op.Mul(y, y), keepdims=0)
        g.outputs = list(gradients(g, loss, [x, w]))
    g.output_names = ["dx", "dw"]
    return [n.op_type for n in optimize(g).nodes()]


def test_weight_gradient_trims_the_end_pad_instead_of_slicing():
    # 8 + 1 + 1 - 3 is odd with stride 2: the last pad row is never read, so dW's Conv drops it.
    # (1-D: 2-D ungrouped convs take the im2col rule, below.)
    ops = _backward((2, 3, 8), (4, 3, 3), strides=[2], pads=[1, 1])
    assert ops.count("Conv") == 2 and ops.count("ConvTranspose") == 1 and "Slice" not in ops


def test_weight_gradient_slices_when_rows_go_unread():
    # Stride 3 over 9 rows with a 2-tap kernel reads rows 0-1, 3-4, 6-7 and never row 8, and
    # there is no pad to trim: dW's Conv covers 3 kernel positions and the third is cut off.
    ops = _backward((1, 2, 9), (2, 2, 2), strides=[3])
    assert ops.count("Slice") == 1


def test_2d_ungrouped_weight_gradient_is_im2col_and_one_matmul():
    # The columns from one Conv with a one-hot kernel (group = C), one MatMul against dY, the
    # sum over the batch (a second MatMul, with a row of ones: passes/leading_sum.py): no
    # Slices, no Concat.
    ops = _backward((2, 3, 8, 7), (4, 3, 3, 2), strides=[2, 1], pads=[1, 0, 1, 1])
    assert ops.count("MatMul") == 2 and "ReduceSum" not in ops
    assert ops.count("Conv") == 2 and ops.count("ConvTranspose") == 1
    assert "Slice" not in ops and "Concat" not in ops and "Pad" not in ops
    # Grouped convs keep the regrouped Conv and the ConvTranspose.
    ops = _backward((2, 4, 8, 8), (4, 2, 3, 3), group=2)
    assert ops.count("Conv") == 2 and ops.count("ConvTranspose") == 1 and "MatMul" not in ops


def test_im2col_columns_come_from_a_one_hot_kernel():
    g = Graph("cols")
    x = g.input((2, 3, 6, 5), np.float32, "x")
    w = g.input((4, 3, 2, 3), np.float32, "w")
    with g.building():
        y = op.Conv(x, w)
        OPS["Conv"].grad(y.producer, [g.input(y.shape, np.float32, "gy")])
    conv = [n for n in g.nodes() if n.op_type == "Conv" and n.attrs.get("group") == 3]
    assert len(conv) == 1
    kernel = conv[0].inputs[1].const
    assert kernel.shape == (18, 1, 2, 3)
    # Output channel c*6 + t reads tap t (row-major over the 2x3 kernel) of input channel c.
    assert np.array_equal(kernel.reshape(3, 6, 6), np.broadcast_to(np.eye(6), (3, 6, 6)))


def test_grouped_weight_gradient_regroups_batch_and_channels():
    ops = _backward((None, 4, 6, 6), (6, 2, 3, 3), group=2)
    assert ops.count("Conv") == 2 and ops.count("Reshape") == 2


@pytest.mark.parametrize("x_shape, starts, ends, axes, steps, want", [
    ((5,), [-10], [-10], [0], [-1], [0]),  # ONNX clamps start to 0 for negative steps: one element
    ((5,), [10], [-10], [0], [-1], [4, 3, 2, 1, 0]),
    ((5,), [1], [10], [0], [2], [1, 3]),
    ((5,), [4], [1], [0], [1], []),
    ((5,), [-1], [-3], [0], [-1], [4, 3]),
], ids=["neg-step-clamped-start", "full-reverse", "step2-clamped-end", "empty", "negative-both"])
def test_slice_reference_follows_onnx_clamping(x_shape, starts, ends, axes, steps, want):
    x = np.arange(5, dtype=np.float64)
    got = OPS["Slice"].reference(x, np.array(starts), np.array(ends), np.array(axes), np.array(steps))
    np.testing.assert_array_equal(got, np.array(want, np.float64))
    assert _shape_slice(x_shape, starts, ends, axes, steps) == (len(want),)


def _shape_slice(x_shape, *consts):
    g = Graph("slice")
    x = g.input(x_shape, np.float64, "x")
    with g.building():
        return op.Slice(x, *[np.array(c, np.int64) for c in consts]).shape


def test_slice_of_a_dynamic_axis_must_take_all_of_it():
    assert _shape_slice((None, 4), [0, 1], [np.iinfo(np.int64).max, 3], [0, 1], [1, 1]) == (None, 2)
    with pytest.raises(ValueError, match="unknown size"):
        _shape_slice((None, 4), [1], [3], [0], [1])


def test_pad_rule_and_errors():
    g = Graph("pad")
    x = g.input((None, 3, 4), np.float32, "x")
    with g.building():
        assert op.Pad(x, np.array([0, 1, -1, 0, 2, 3], np.int64)).shape == (None, 6, 6)
        assert op.Pad(x, np.array([1, 1], np.int64), None, np.array([-1], np.int64)).shape == (None, 3, 6)
        with pytest.raises(ValueError, match="unknown size"):
            op.Pad(x, np.array([1, 0, 0, 0, 0, 0], np.int64))
        with pytest.raises(ValueError, match="negative"):
            op.Pad(x, np.array([0, -2, 0, 0, -2, 0], np.int64))
