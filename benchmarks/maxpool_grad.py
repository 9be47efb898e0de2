"""MaxPool forward + exact gradient on onnxruntime CPU: the standard-ONNX formulations compared.

Exact means what Keras/TF/JAX do: each window sends its output gradient to one input element,
the first maximum in row-major window order, even when the window holds ties (after a ReLU,
windows of zeros are common). Every variant is checked against a numpy loop before timing.

    python benchmarks/maxpool_grad.py [--threads 1] [--repeats 20]

Prints one JSON line per (case, variant): median and min milliseconds of one forward+backward run.
"""

import argparse
import json
import statistics
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT


def out_size(h, k, s, p0, p1):
    return (h + p0 + p1 - k) // s + 1


def numpy_grad(x, dy, k, s, pads):
    """First-max-in-window gradient, the definition every variant must match."""
    n, c, h, w = x.shape
    pt, pl, pb, pr = pads
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), constant_values=-np.inf)
    oh, ow = dy.shape[2:]
    dxp = np.zeros_like(xp)
    win = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::s, ::s][:, :, :oh, :ow]
    flat = win.reshape(n, c, oh, ow, k * k)
    arg = flat.argmax(-1)
    for i in range(oh):
        for j in range(ow):
            a = arg[:, :, i, j]
            r, q = a // k, a % k
            nn, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
            np.add.at(dxp, (nn, cc, i * s + r, j * s + q), dy[:, :, i, j])
    return dxp[:, :, pt:pt + h, pl:pl + w]


class G:
    """A tiny ONNX graph builder."""

    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def const(self, arr):
        self.n += 1
        name = f"c{self.n}"
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def __call__(self, op, *ins, outs=1, **attrs):
        names = []
        for _ in range(outs):
            self.n += 1
            names.append(f"t{self.n}")
        ins = [i if isinstance(i, str) else self.const(i) for i in ins]
        self.nodes.append(helper.make_node(op, ins, names, **attrs))
        return names[0] if outs == 1 else names

    def model(self, inputs, outputs):
        graph = helper.make_graph(self.nodes, "g", inputs, [
            helper.make_tensor_value_info(o, F, None) for o in outputs[:-1]] + [
            helper.make_tensor_value_info(outputs[-1], F, None)], self.inits)
        graph.output[0].name = outputs[0]
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
        m.ir_version = 10
        return m


def i64(*v):
    return np.array(v, np.int64)


def variant_indices(shape, k, s, pads, scatter):
    n, c, h, w = shape
    g = G()
    y, idx = g("MaxPool", "X", outs=2, kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    zeros = g("ConstantOfShape", i64(n * c * h * w), value=numpy_helper.from_array(np.zeros(1, np.float32)))
    flat_i = g("Reshape", idx, i64(-1))
    flat_g = g("Reshape", "dY", i64(-1))
    if scatter == "nd":
        d = g("ScatterND", zeros, g("Unsqueeze", flat_i, i64(-1)), flat_g, reduction="add")
    else:
        d = g("ScatterElements", zeros, flat_i, flat_g, axis=0, reduction="add")
    dx = g("Reshape", d, i64(n, c, h, w))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def variant_unpool(shape, k, s, pads):
    """MaxPool's Indices placed with MaxUnpool: exact where windows are disjoint (s >= k), as
    no index repeats (horn's form there)."""
    g = G()
    y, idx = g("MaxPool", "X", outs=2, kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    dx = g("MaxUnpool", "dY", idx, i64(*shape), kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def _blocks(g, shape, k):
    """X (N,C,H,W) with k == s, H and W divisible: the view (N,C,OH,k,OW,k)."""
    n, c, h, w = shape
    return g("Reshape", "X", i64(n, c, h // k, k, w // k, k))


def variant_argmax_transpose(shape, k, s, pads):
    n, c, h, w = shape
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    b = g("Transpose", _blocks(g, shape, k), perm=[0, 1, 2, 4, 3, 5])
    flat = g("Reshape", b, i64(n, c, h // k, w // k, k * k))
    arg = g("ArgMax", flat, axis=-1, keepdims=0)
    hot = g("OneHot", arg, i64(k * k), np.array([0.0, 1.0], np.float32))
    d = g("Mul", hot, g("Unsqueeze", "dY", i64(-1)))
    d = g("Transpose", g("Reshape", d, i64(n, c, h // k, w // k, k, k)), perm=[0, 1, 2, 4, 3, 5])
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Reshape", [d, g.const(i64(n, c, h, w))], ["dX"]))
    return g


def variant_priority(shape, k, s, pads, reduce_dtype=np.float32):
    """Blocks view; hit = X == Y; score = hit ? priority : 0; first = score == max(score)."""
    n, c, h, w = shape
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    b = _blocks(g, shape, k)
    y6 = g("Unsqueeze", y, i64(3, 5))
    hit = g("Equal", b, y6)
    prio = (k * k - np.arange(k * k)).reshape(1, 1, 1, k, 1, k).astype(reduce_dtype)
    score = g("Where", hit, prio, np.zeros((), reduce_dtype))
    best = g("ReduceMax", score, i64(3, 5), keepdims=1)
    first = g("Equal", score, best)
    d = g("Where", first, g("Unsqueeze", "dY", i64(3, 5)), np.zeros((), np.float32))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Reshape", [d, g.const(i64(n, c, h, w))], ["dX"]))
    return g


def variant_taken(shape, k, s, pads):
    """Blocks view, one (N,C,OH,1,OW,1) slab per window position in row-major order:
    hit = X == Y and not taken yet. Needs no reduction, only k*k small elementwise ops."""
    n, c, h, w = shape
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    b = _blocks(g, shape, k)
    y6 = g("Unsqueeze", y, i64(3, 5))
    dy6 = g("Unsqueeze", "dY", i64(3, 5))
    zero = np.zeros((), np.float32)
    rows = []
    taken = None
    parts = {}
    for i in range(k):
        for j in range(k):
            sl = g("Slice", b, i64(i, j), i64(i + 1, j + 1), i64(3, 5))
            hit = g("Equal", sl, y6)
            if taken is not None:
                hit = g("And", hit, g("Not", taken))
                taken = g("Or", taken, hit)
            else:
                taken = hit
            parts[i, j] = g("Where", hit, dy6, zero)
    for i in range(k):
        rows.append(g("Concat", *[parts[i, j] for j in range(k)], axis=5))
    d = g("Concat", *rows, axis=3)
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Reshape", [d, g.const(i64(n, c, h, w))], ["dX"]))
    return g


def variant_inexact(shape, k, s, pads):
    """Lower bound, NOT exact (ties all get the gradient): Equal + Where on the blocks view."""
    n, c, h, w = shape
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    hit = g("Equal", _blocks(g, shape, k), g("Unsqueeze", y, i64(3, 5)))
    d = g("Where", hit, g("Unsqueeze", "dY", i64(3, 5)), np.zeros((), np.float32))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Reshape", [d, g.const(i64(n, c, h, w))], ["dX"]))
    return g


def _strided_slices(g, xp, k, s, oh, ow):
    """Window position (i, j) of every output: X_pad[:, :, i::s, j::s] cut to (OH, OW)."""
    out = {}
    for i in range(k):
        for j in range(k):
            out[i, j] = g("Slice", xp, i64(i, j), i64(i + s * (oh - 1) + 1, j + s * (ow - 1) + 1),
                          i64(2, 3), i64(s, s))
    return out


def _interleave(g, maps, s, oh2, ow2):
    """maps[(ri, rj)] (N,C,OH2,OW2) -> (N,C,OH2*s,OW2*s) with out[ri::s, rj::s] = maps[ri, rj]."""
    rows = []
    for ri in range(s):
        cols = [g("Unsqueeze", maps[ri, rj], i64(3, 5)) for rj in range(s)]
        rows.append(g("Concat", *cols, axis=5))
    return g("Concat", *rows, axis=3)


def variant_slices(shape, k, s, pads, unfold="taken"):
    """Any k, s, pads: k*k strided slices of the padded input, first-hit by a running `taken`
    flag (or a priority max), gradients accumulated per stride residue on the output grid and
    interleaved back."""
    n, c, h, w = shape
    pt, pl, pb, pr = pads
    oh, ow = out_size(h, k, s, pt, pb), out_size(w, k, s, pl, pr)
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    xp = g("Pad", "X", i64(0, 0, pt, pl, 0, 0, pb, pr), np.array(-np.inf, np.float32)) if any(pads) else "X"
    sl = _strided_slices(g, xp, k, s, oh, ow)
    zero = np.zeros((), np.float32)
    # output-grid extent that covers every window position: shifts i // s up to (k-1)//s
    ext = (k - 1) // s
    oh2, ow2 = oh + ext, ow + ext
    acc = {}
    if unfold == "taken":
        taken = None
        for (i, j), x_ij in sl.items():
            hit = g("Equal", x_ij, y)
            if taken is not None:
                hit = g("And", hit, g("Not", taken))
                taken = g("Or", taken, hit)
            else:
                taken = hit
            gij = g("Where", hit, "dY", zero)
            gij = g("Pad", gij, i64(0, 0, i // s, j // s, 0, 0, ext - i // s, ext - j // s))
            key = (i % s, j % s)
            acc[key] = gij if key not in acc else g("Add", acc[key], gij)
    else:  # priority over the unfolded (N,C,k*k,OH,OW)
        u = g("Concat", *[g("Unsqueeze", v, i64(2)) for v in sl.values()], axis=2)
        hit = g("Equal", u, g("Unsqueeze", y, i64(2)))
        prio = (k * k - np.arange(k * k)).reshape(1, 1, k * k, 1, 1).astype(np.float32)
        score = g("Where", hit, prio, zero)
        first = g("Equal", score, g("ReduceMax", score, i64(2), keepdims=1))
        gu = g("Where", first, g("Unsqueeze", "dY", i64(2)), zero)
        parts = g("Split", gu, i64(*[1] * (k * k)), axis=2, outs=k * k)
        for (i, j), p in zip(sl.keys(), parts):
            gij = g("Pad", g("Squeeze", p, i64(2)), i64(0, 0, i // s, j // s, 0, 0, ext - i // s, ext - j // s))
            key = (i % s, j % s)
            acc[key] = gij if key not in acc else g("Add", acc[key], gij)
    for ri in range(s):
        for rj in range(s):
            if (ri, rj) not in acc:
                acc[ri, rj] = g("Mul", acc[0, 0], zero)
    big = g("Reshape", _interleave(g, acc, s, oh2, ow2), i64(n, c, oh2 * s, ow2 * s))
    # crop the padded-input region [pt, pt+h) x [pl, pl+w) (negative pads crop; pad where short)
    dx = g("Pad", big, i64(0, 0, -pt, -pl, 0, 0, h + pt - oh2 * s, w + pl - ow2 * s))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def variant_col2im(shape, k, s, pads):
    """Unfold by strided slices, priority first-hit, fold back with Col2Im (opset 18)."""
    n, c, h, w = shape
    pt, pl, pb, pr = pads
    oh, ow = out_size(h, k, s, pt, pb), out_size(w, k, s, pl, pr)
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    xp = g("Pad", "X", i64(0, 0, pt, pl, 0, 0, pb, pr), np.array(-np.inf, np.float32)) if any(pads) else "X"
    sl = _strided_slices(g, xp, k, s, oh, ow)
    u = g("Concat", *[g("Unsqueeze", v, i64(2)) for v in sl.values()], axis=2)  # N,C,kk,OH,OW
    hit = g("Equal", u, g("Unsqueeze", y, i64(2)))
    prio = (k * k - np.arange(k * k)).reshape(1, 1, k * k, 1, 1).astype(np.float32)
    score = g("Where", hit, prio, np.zeros((), np.float32))
    first = g("Equal", score, g("ReduceMax", score, i64(2), keepdims=1))
    gu = g("Where", first, g("Unsqueeze", "dY", i64(2)), np.zeros((), np.float32))
    cols = g("Reshape", gu, i64(n, c * k * k, oh * ow))
    dx = g("Col2Im", cols, i64(h, w), i64(k, k), pads=list(pads), strides=[s, s])
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def _first_hits(g, pieces, y, dy):
    """pieces in row-major window order -> the gradient each receives: the window's dY goes to
    the first piece equal to Y. r is what is left to hand out: dY until a hit, then exactly 0."""
    zero = np.zeros((), np.float32)
    r, grads = dy, []
    for t, x_ij in enumerate(pieces):
        g_ij = g("Where", g("Equal", x_ij, y), r, zero)
        if t + 1 < len(pieces):
            r = g("Sub", r, g_ij)
        grads.append(g_ij)
    return grads


def variant_s2d(shape, k, s, pads):
    """Any k, s, pads: pad with -inf to whole stride blocks, SpaceToDepth + Split into the s*s
    stride residues; window position (i, j) is a contiguous shift of residue (i%s, j%s).
    First hits by the remaining-gradient trick; per-residue sums; Concat + DepthToSpace; crop."""
    n, c, h, w = shape
    pt, pl, pb, pr = pads
    oh, ow = out_size(h, k, s, pt, pb), out_size(w, k, s, pl, pr)
    ext = (k - 1) // s
    oh2, ow2 = oh + ext, ow + ext  # output-grid extent covering every window position
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    eb, er = oh2 * s - h - pt, ow2 * s - w - pl  # may be negative: crop
    padv = i64(0, 0, pt, pl, 0, 0, eb, er)
    xp = g("Pad", "X", padv, np.array(-np.inf, np.float32)) if padv.any() else "X"
    if s > 1:
        res = g("Split", g("SpaceToDepth", xp, blocksize=s), i64(*[c] * (s * s)), axis=1, outs=s * s)
        res = {(a, b): res[a * s + b] for a in range(s) for b in range(s)}
    else:
        res = {(0, 0): xp}
    pieces, where = [], []
    for i in range(k):
        for j in range(k):
            a, b, di, dj = i % s, j % s, i // s, j // s
            r = res[a, b]
            if ext:
                r = g("Slice", r, i64(di, dj), i64(di + oh, dj + ow), i64(2, 3))
            pieces.append(r)
            where.append((a, b, di, dj))
    grads = _first_hits(g, pieces, y, "dY")
    acc = {}
    for g_ij, (a, b, di, dj) in zip(grads, where):
        if ext:
            g_ij = g("Pad", g_ij, i64(0, 0, di, dj, 0, 0, ext - di, ext - dj))
        acc[a, b] = g_ij if (a, b) not in acc else g("Add", acc[a, b], g_ij)
    zero = np.zeros((), np.float32)
    for a in range(s):
        for b in range(s):
            if (a, b) not in acc:
                acc[a, b] = g("Mul", acc[0, 0], zero)
    if s > 1:
        big = g("DepthToSpace", g("Concat", *[acc[a, b] for a in range(s) for b in range(s)], axis=1),
                blocksize=s, mode="DCR")
    else:
        big = acc[0, 0]
    cut = i64(0, 0, -pt, -pl, 0, 0, -eb, -er)
    dx = g("Pad", big, cut) if cut.any() else big
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def variant_slices_r(shape, k, s, pads):
    """k == s, no pads: strided slices, remaining-gradient first hits, two Concats to interleave."""
    n, c, h, w = shape
    oh, ow = h // s, w // s
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    sl = _strided_slices(g, "X", k, s, oh, ow)
    grads = dict(zip(sl.keys(), _first_hits(g, list(sl.values()), y, "dY")))
    big = g("Reshape", _interleave(g, grads, s, oh, ow), i64(n, c, h, w))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [big], ["dX"]))
    return g


def indices_only(shape, k, s, pads):
    g = G()
    y, idx = g("MaxPool", "X", outs=2, kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Cast", [idx], ["dX"], to=F))
    return g


def variant_recompute(shape, k, s, pads):
    """What a gradient rule can emit without touching the forward node: plain MaxPool forward,
    and a second MaxPool with Indices in the backward pass, then ScatterElements add."""
    n, c, h, w = shape
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    _, idx = g("MaxPool", "X", outs=2, kernel_shape=[k, k], strides=[s, s], pads=list(pads),
               storage_order=0)
    zeros = g("ConstantOfShape", g("Unsqueeze", g("Size", "X"), i64(0)),
              value=numpy_helper.from_array(np.zeros(1, np.float32)))
    d = g("ScatterElements", zeros, g("Reshape", idx, i64(-1)), g("Reshape", "dY", i64(-1)), axis=0,
          reduction="add")
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Reshape", [d, g.const(i64(n, c, h, w))], ["dX"]))
    return g


def variant_blocks_transpose(shape, k, s, pads):
    """k == s, no pads, any rank: Reshape to blocks, Transpose the window axes to the front,
    Split into k*k contiguous pieces, remaining-gradient first hits, Concat, Transpose back."""
    n, c, h, w = shape
    oh, ow = h // k, w // k
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    t = g("Transpose", _blocks(g, shape, k), perm=[3, 5, 0, 1, 2, 4])
    t = g("Reshape", t, i64(k * k, n, c, oh, ow))
    pieces = g("Split", t, i64(*[1] * (k * k)), axis=0, outs=k * k)
    grads = _first_hits(g, pieces, g("Unsqueeze", y, i64(0)), g("Unsqueeze", "dY", i64(0)))
    d = g("Reshape", g("Concat", *grads, axis=0), i64(k, k, n, c, oh, ow))
    d = g("Transpose", d, perm=[2, 3, 4, 0, 5, 1])
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Reshape", [d, g.const(i64(n, c, h, w))], ["dX"]))
    return g


def variant_resize_priority(shape, k, s, pads):
    """k == s, no pads, any rank: Resize(nearest) spreads Y and dY over their windows;
    score = X == Y ? priority : 0 with a constant row-major priority per window position;
    the first hit is where score equals the window's MaxPool(score), spread back by Resize."""
    n, c, h, w = shape
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s])
    scales = np.array([1, 1, k, k], np.float32)

    def up(v):
        return g("Resize", v, "", scales, mode="nearest", coordinate_transformation_mode="asymmetric",
                 nearest_mode="floor")

    prio = np.tile((k * k - np.arange(k * k)).reshape(k, k), (h // k, w // k)).astype(np.float32)[None, None]
    score = g("Where", g("Equal", "X", up(y)), prio, np.zeros((), np.float32))
    best = g("MaxPool", score, kernel_shape=[k, k], strides=[s, s])
    dx = g("Where", g("Equal", score, up(best)), up("dY"), np.zeros((), np.float32))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def forward_only(shape, k, s, pads):
    g = G()
    y = g("MaxPool", "X", kernel_shape=[k, k], strides=[s, s], pads=list(pads))
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", ["dY"], ["dX"]))
    return g


def session(g, shape, oshape, threads):
    inputs = [helper.make_tensor_value_info("X", F, shape), helper.make_tensor_value_info("dY", F, oshape)]
    graph = helper.make_graph(g.nodes, "g", inputs, [helper.make_tensor_value_info("Y", F, None),
                                                     helper.make_tensor_value_info("dX", F, None)], g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    m.ir_version = 10
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    return ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--only", default="", help="comma-separated substrings of variant names")
    ap.add_argument("--cases", default="", help="comma-separated substrings of case names")
    args = ap.parse_args()
    cases = [  # (name, shape, k, s, pads)
        ("mnist_cnn k2s2", (128, 64, 24, 24), 2, 2, (0, 0, 0, 0)),
        ("vgg-like k2s2", (16, 64, 112, 112), 2, 2, (0, 0, 0, 0)),
        ("overlap k3s2 same", (128, 64, 24, 24), 3, 2, (0, 0, 1, 1)),
        ("overlap k3s1 same", (32, 64, 24, 24), 3, 1, (1, 1, 1, 1)),
    ]
    rng = np.random.default_rng(0)
    for name, shape, k, s, pads in cases:
        if args.cases and not any(c in name for c in args.cases.split(",")):
            continue
        oh = out_size(shape[2], k, s, pads[0], pads[2])
        ow = out_size(shape[3], k, s, pads[1], pads[3])
        oshape = shape[:2] + (oh, ow)
        # post-ReLU values rounded to a coarse grid: many ties, zeros included
        x = np.maximum(np.round(rng.standard_normal(shape) * 4) / 4, 0).astype(np.float32)
        dy = rng.standard_normal(oshape).astype(np.float32)
        want = numpy_grad(x[:4], dy[:4], k, s, pads)
        variants = {"forward only": forward_only,
                    "Indices+ScatterND": lambda *a: variant_indices(*a, "nd"),
                    "Indices+ScatterElements": lambda *a: variant_indices(*a, "el"),
                    "slices+taken": variant_slices,
                    "slices+priority": lambda *a: variant_slices(*a, unfold="priority"),
                    "slices+priority+Col2Im": variant_col2im,
                    "SpaceToDepth+remaining+DepthToSpace": variant_s2d,
                    "MaxPool with Indices only (no grad)": indices_only,
                    "recompute Indices+ScatterElements": variant_recompute}
        if s >= k:
            variants["Indices+MaxUnpool"] = variant_unpool
        if k == s and not any(pads):
            variants.update({"blocks+Transpose+ArgMax+OneHot": variant_argmax_transpose,
                             "blocks+priority ReduceMax": variant_priority,
                             "blocks+taken": variant_taken,
                    "slices+remaining": variant_slices_r,
                    "Resize+priority MaxPool": variant_resize_priority,
                    "blocks+Transpose+Split+remaining": variant_blocks_transpose,
                             "blocks Equal+Where (inexact: ties)": variant_inexact})
        sessions = {}
        for vname, make in variants.items():
            if args.only and not any(o in vname for o in args.only.split(",")):
                continue
            small = session(make((4,) + shape[1:], k, s, pads), (4,) + shape[1:], (4,) + oshape[1:], 1)
            y_, dx_ = small.run(None, {"X": x[:4], "dY": dy[:4]})
            exact = vname.startswith(("forward only", "MaxPool with")) or bool(np.allclose(dx_, want, atol=1e-6))
            sessions[vname] = (session(make(shape, k, s, pads), shape, oshape, args.threads), exact)
        times = {v: [] for v in sessions}
        feeds = {"X": x, "dY": dy}
        for sess, _ in sessions.values():
            sess.run(None, feeds)
        for _ in range(args.repeats):  # round robin: load from other processes hits all alike
            for vname, (sess, _) in sessions.items():
                t = time.perf_counter()
                sess.run(None, feeds)
                times[vname].append((time.perf_counter() - t) * 1e3)
        for vname, (_, exact) in sessions.items():
            print(json.dumps({"case": name, "shape": shape, "variant": vname, "threads": args.threads,
                              "exact": exact, "median_ms": round(statistics.median(times[vname]), 2),
                              "min_ms": round(min(times[vname]), 2)}), flush=True)

if __name__ == "__main__":
    main()
