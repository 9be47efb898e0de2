"""AveragePool forward + gradient on onnxruntime CPU (1 thread): the standard-ONNX forms of
dX = (dY / count) spread over each window, compared. Each variant is checked against a numpy
loop first.

    python benchmarks/avgpool_grad.py [--repeats 20]

Prints one JSON line per (case, variant): max abs difference to numpy, median and min ms.
"""

import argparse
import json
import statistics
import time

import numpy as np
from maxpool_grad import G, i64, out_size, session
from onnx import helper


def numpy_grad(dy, shape, k, s, pads, include):
    n, c, h, w = shape
    pt, pl, pb, pr = pads
    valid = np.zeros((h + pt + pb, w + pl + pr))
    valid[pt:pt + h, pl:pl + w] = 1
    dxp = np.zeros((n, c) + valid.shape)
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            count = k * k if include else valid[i * s:i * s + k, j * s:j * s + k].sum()
            dxp[:, :, i * s:i * s + k, j * s:j * s + k] += dy[:, :, i:i + 1, j:j + 1] / count
    return dxp[:, :, pt:pt + h, pl:pl + w]


def counts(h, w, k, s, pads, oh, ow, include):
    if include:
        return np.full((oh, ow), float(k * k), np.float32)
    pt, pl, pb, pr = pads
    valid = np.zeros((h + pt + pb, w + pl + pr))
    valid[pt:pt + h, pl:pl + w] = 1
    return np.array([[valid[i * s:i * s + k, j * s:j * s + k].sum() for j in range(ow)] for i in range(oh)],
                    np.float32)


def _finish(g, y, dx):
    g.nodes.append(helper.make_node("Identity", [y], ["Y"]))
    g.nodes.append(helper.make_node("Identity", [dx], ["dX"]))
    return g


def _forward(g, k, s, pads, include):
    return g("AveragePool", "X", kernel_shape=[k, k], strides=[s, s], pads=list(pads), count_include_pad=int(include))


def forward_only(shape, k, s, pads, include, oh, ow):
    g = G()
    return _finish(g, _forward(g, k, s, pads, include), "dY")


def conv_transpose(shape, k, s, pads, include, oh, ow):
    """ConvTranspose(dY / count, ones (C, 1, k, k), group=C): notes §2c."""
    n, c, h, w = shape
    pt, pl, pb, pr = pads
    g = G()
    y = _forward(g, k, s, pads, include)
    extra = [h + pt + pb - ((oh - 1) * s + k), w + pl + pr - ((ow - 1) * s + k)]
    dx = g("ConvTranspose", g("Div", "dY", counts(h, w, k, s, pads, oh, ow, include)),
           np.ones((c, 1, k, k), np.float32), group=c, strides=[s, s], pads=list(pads), output_padding=extra)
    return _finish(g, y, dx)


def col2im(shape, k, s, pads, include, oh, ow):
    """Each window's share as a column (Expand), folded back by Col2Im (opset 18)."""
    n, c, h, w = shape
    g = G()
    y = _forward(g, k, s, pads, include)
    d = g("Div", "dY", counts(h, w, k, s, pads, oh, ow, include))
    cols = g("Expand", g("Reshape", d, i64(n, c, 1, oh * ow)), i64(1, 1, k * k, 1))
    dx = g("Col2Im", g("Reshape", cols, i64(n, c * k * k, oh * ow)), i64(h, w), i64(k, k), pads=list(pads),
           strides=[s, s])
    return _finish(g, y, dx)


def expand_blocks(shape, k, s, pads, include, oh, ow):
    """k == s: (N, C, OH, 1, OW, 1) Expanded to (N, C, OH, k, OW, k)."""
    n, c, h, w = shape
    g = G()
    y = _forward(g, k, s, pads, include)
    d = g("Mul", "dY", np.array(1.0 / (k * k), np.float32))
    e = g("Expand", g("Reshape", d, i64(n, c, oh, 1, ow, 1)), i64(1, 1, 1, k, 1, k))
    return _finish(g, y, g("Reshape", e, i64(n, c, h, w)))


def tile_depth_to_space(shape, k, s, pads, include, oh, ow):
    """k == s: k*k copies along the channels (Tile), DepthToSpace."""
    g = G()
    y = _forward(g, k, s, pads, include)
    d = g("Mul", "dY", np.array(1.0 / (k * k), np.float32))
    return _finish(g, y, g("DepthToSpace", g("Tile", d, i64(1, k * k, 1, 1)), blocksize=k, mode="DCR"))


def resize_nearest(shape, k, s, pads, include, oh, ow):
    """k == s: nearest-neighbour Resize by k (what horn emits)."""
    g = G()
    y = _forward(g, k, s, pads, include)
    d = g("Mul", "dY", np.array(1.0 / (k * k), np.float32))
    dx = g("Resize", d, "", np.array([1, 1, k, k], np.float32), mode="nearest",
           coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    return _finish(g, y, dx)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    cases = [("k2s2", (128, 64, 24, 24), 2, 2, (0, 0, 0, 0), 1),
             ("k3s2 same, pads not counted", (128, 64, 24, 24), 3, 2, (0, 0, 1, 1), 0),
             ("k3s1 same, pads not counted", (32, 64, 24, 24), 3, 1, (1, 1, 1, 1), 0)]
    rng = np.random.default_rng(0)
    for name, shape, k, s, pads, include in cases:
        oh, ow = out_size(shape[2], k, s, pads[0], pads[2]), out_size(shape[3], k, s, pads[1], pads[3])
        oshape = shape[:2] + (oh, ow)
        x = rng.standard_normal(shape).astype(np.float32)
        dy = rng.standard_normal(oshape).astype(np.float32)
        want = numpy_grad(dy[:2].astype(np.float64), (2,) + shape[1:], k, s, pads, include)
        variants = {"forward only": forward_only, "ConvTranspose group=C": conv_transpose, "Col2Im": col2im}
        if k == s and not any(pads):
            variants.update({"Expand 6-D": expand_blocks, "Tile+DepthToSpace": tile_depth_to_space,
                             "Resize nearest": resize_nearest})
        sessions = {}
        for vname, make in variants.items():
            small = session(make((2,) + shape[1:], k, s, pads, include, oh, ow), (2,) + shape[1:],
                            (2,) + oshape[1:], 1)
            diff = None if vname == "forward only" else \
                float(np.abs(small.run(None, {"X": x[:2], "dY": dy[:2]})[1] - want).max())
            sessions[vname] = (session(make(shape, k, s, pads, include, oh, ow), shape, oshape, 1), diff)
        times = {v: [] for v in sessions}
        feeds = {"X": x, "dY": dy}
        for sess, _ in sessions.values():
            sess.run(None, feeds)
        for _ in range(args.repeats):  # round robin, as in maxpool_grad.py
            for vname, (sess, _) in sessions.items():
                t = time.perf_counter()
                sess.run(None, feeds)
                times[vname].append((time.perf_counter() - t) * 1e3)
        for vname, (_, diff) in sessions.items():
            print(json.dumps({"case": name, "shape": shape, "variant": vname, "max_abs_diff": diff,
                              "median_ms": round(statistics.median(times[vname]), 2),
                              "min_ms": round(min(times[vname]), 2)}), flush=True)


if __name__ == "__main__":
    main()
