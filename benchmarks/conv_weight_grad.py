"""Conv's weight gradient, the rules of horn/compiler/opdefs/conv.py and the one before, each as
its own onnxruntime model (notes §2a: ORT runs every node of a model, so sub-graphs are timed apart):

- conv:   a Conv over the regrouped input with dY as its weight (strides and dilations swapped)
- im2col: the columns from one Conv with a one-hot kernel (group = C), one batched MatMul
          against dY, a ReduceSum over the batch (horn's rule for 2-D ungrouped convs)
- slices: the previous im2col: kh*kw strided Slices of the padded, channel-major input, one
          Concat, one Gemm against dY (kept here for comparison)

The rules are timed interleaved (one run of each per round), best and median of the rounds.

    python benchmarks/conv_weight_grad.py [--threads 0] [--rounds 20]

Default shape: mnist_cnn's Conv2 (x (128, 32, 26, 26), w (64, 32, 3, 3), stride 1, no pads).
Prints one JSON line per case.
"""

import argparse
import json
import statistics
import time
from types import SimpleNamespace

import numpy as np
import onnxruntime as ort

from horn.compiler import Graph, op, optimize, to_onnx
from horn.compiler.opdefs import conv

# (N, C, O, H, W, k, stride, pad)
CASES = [(128, 32, 64, 26, 26, 3, 1, 0), (128, 32, 64, 26, 26, 3, 2, 1), (32, 64, 64, 28, 28, 3, 1, 1)]


def _slices_dw(x, w, gy, g, sizes, out):
    """The im2col rule horn had before: strided Slices of the channel-major input + Concat + Gemm."""
    o, c, r = w.shape[0], w.shape[1], g.rank
    xt = op.Transpose(x, perm=[1, 0, 2, 3])  # (C, N, *s)
    ends = [max(0, min(f, (e - 1) + s * (q - 1) + 1 - i - b))
            for f, e, s, q, i, b in zip(g.end, g.effective, g.strides, out, sizes, g.begin)]
    if any(g.begin) or any(ends):
        xt = op.Pad(xt, np.array([0, 0] + g.begin + [0, 0] + ends, np.int64))
    axes, steps = np.arange(2, 2 + r, dtype=np.int64), np.array(g.strides, np.int64)
    taps = []
    for tap in np.ndindex(*g.kernel):
        starts = [t * d for t, d in zip(tap, g.dilations)]
        stops = [b + s * (q - 1) + 1 for b, s, q in zip(starts, g.strides, out)]
        taps.append(op.Slice(xt, np.array(starts, np.int64), np.array(stops, np.int64), axes, steps))
    cols = op.Reshape(op.Concat(*taps, axis=0), np.array([len(taps) * c, -1], np.int64))
    gyt = op.Reshape(op.Transpose(gy, perm=[1, 0, 2, 3]), np.array([o, -1], np.int64))
    dw = op.Reshape(op.Gemm(gyt, cols, transB=1), np.array([o, len(taps), c], np.int64))
    return op.Reshape(op.Transpose(dw, perm=[0, 2, 1]), np.array([o, c, *g.kernel], np.int64))


def _model(rule, x, gy, attrs):
    g = Graph(rule.__name__)
    xv, gyv = g.input(x.shape, np.float32, "x"), g.input(gy.shape, np.float32, "gy")
    geo = conv._geometry("Conv", x.shape, (gy.shape[1], x.shape[1], *attrs["kernel"]), attrs)
    w_shape = SimpleNamespace(shape=(gy.shape[1], x.shape[1], *geo.kernel))
    with g.building():
        args = (xv, gyv, geo, list(x.shape[2:]), list(gy.shape[2:]))
        dw = rule(*args) if rule is conv._conv_dw_conv else rule(xv, w_shape, *args[1:])
    g.outputs, g.output_names = [dw], ["dw"]
    return to_onnx(optimize(g))


def _session(model, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=0, help="0: onnxruntime's default")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for n, c, o, h, w, k, s, p in CASES:
        x = rng.standard_normal((n, c, h, w)).astype(np.float32)
        oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        gy = rng.standard_normal((n, o, oh, ow)).astype(np.float32)
        attrs = dict(strides=[s, s], pads=[p] * 4, kernel=[k, k])
        feeds = {"x": x, "gy": gy}
        sessions = {name: _session(_model(rule, x, gy, attrs), args.threads)
                    for name, rule in (("conv", conv._conv_dw_conv), ("im2col", conv._conv_dw_im2col),
                                       ("slices", _slices_dw))}
        outs = {name: sess.run(None, feeds)[0] for name, sess in sessions.items()}
        err = max(float(np.abs(outs[name] - outs["conv"]).max() / np.abs(outs["conv"]).max())
                  for name in ("im2col", "slices"))
        for _ in range(3):
            for sess in sessions.values():
                sess.run(None, feeds)
        times = {name: [] for name in sessions}
        for _ in range(args.rounds):
            for name, sess in sessions.items():
                t = time.perf_counter()
                sess.run(None, feeds)
                times[name].append(time.perf_counter() - t)
        row = {"case": dict(N=n, C=c, O=o, H=h, W=w, k=k, stride=s, pad=p), "threads": args.threads,
               "rel_err": err}
        for name, ts in times.items():
            row[name] = dict(best_ms=round(min(ts) * 1e3, 2), median_ms=round(statistics.median(ts) * 1e3, 2))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
