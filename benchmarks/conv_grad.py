"""Conv forward and its two gradients as horn emits them, each timed as its own onnxruntime model
(notes §2a: ORT runs every node of a model, so sub-graphs are timed separately).

- fwd: Conv(x, w)
- dX: ConvTranspose(dy, w) with the output padding that recovers x's size
- dW: Conv over the regrouped input with dy as the weight (strides and dilations swapped)
- dW-im2col (for comparison, ungrouped cases only): the columns of x from a grouped Conv with
  one-hot kernels, then one Einsum against dy

    python benchmarks/conv_grad.py [--threads 1] [--repeats 20]

Prints one JSON line per case: median and min milliseconds of each part.
"""

import argparse
import json
import statistics
import time

import numpy as np
import onnxruntime as ort
from onnx import helper, numpy_helper

from horn.compiler import OPS, Graph, op, optimize, to_onnx

# (N, C, O, H, k, stride, pad, group)
CASES = [(32, 32, 64, 28, 3, 1, 1, 1), (32, 64, 64, 56, 3, 2, 1, 1), (32, 64, 64, 28, 3, 1, 1, 64),
         (32, 3, 32, 64, 5, 2, 2, 1)]


def _session(model, threads):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def _time(session, feeds, repeats):
    for _ in range(3):
        session.run(None, feeds)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        session.run(None, feeds)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1e3, 2), round(min(times) * 1e3, 2)


def horn_parts(x, w, gy, attrs):
    """{part: (ModelProto, feeds)} for fwd, dX and dW, from horn's own gradient rule."""
    parts = {}
    for part, names in (("fwd", ("x", "w")), ("dX", ("gy", "w")), ("dW", ("x", "gy"))):
        g = Graph(part)
        values = {"x": g.input(x.shape, np.float32, "x"), "w": g.input(w.shape, np.float32, "w"),
                  "gy": g.input(gy.shape, np.float32, "gy")}
        with g.building():
            y = op.Conv(values["x"], values["w"], **attrs)
            dx, dw = OPS["Conv"].grad(y.producer, [values["gy"]])[:2]
        g.outputs, g.output_names = [{"fwd": y, "dX": dx, "dW": dw}[part]], ["out"]
        g.inputs = [values[n] for n in names]
        feeds = {"x": x, "w": w, "gy": gy}
        parts[part] = (to_onnx(optimize(g)), {n: feeds[n] for n in names})
    return parts


def im2col_dw(x, gy, k, attrs):
    n, c = x.shape[:2]
    o, positions = gy.shape[1], gy.shape[2] * gy.shape[3]
    eye = np.zeros((c * k * k, 1, k, k), np.float32)
    for i in range(c * k * k):
        eye[i, 0, (i % (k * k)) // k, i % k] = 1
    nodes = [helper.make_node("Conv", ["x", "eye"], ["cols"], group=c, strides=attrs["strides"], pads=attrs["pads"]),
             helper.make_node("Reshape", ["cols", "s1"], ["cols2"]),
             helper.make_node("Reshape", ["gy", "s2"], ["gy2"]),
             helper.make_node("Einsum", ["gy2", "cols2"], ["dw"], equation="nop,nkp->ok")]
    inits = [numpy_helper.from_array(eye, "eye"),
             numpy_helper.from_array(np.array([n, c * k * k, positions], np.int64), "s1"),
             numpy_helper.from_array(np.array([n, o, positions], np.int64), "s2")]
    graph = helper.make_graph(nodes, "im2col", [helper.make_tensor_value_info("x", 1, x.shape),
                                                helper.make_tensor_value_info("gy", 1, gy.shape)],
                              [helper.make_tensor_value_info("dw", 1, None)], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    return model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for n, c, o, h, k, s, p, group in CASES:
        x = rng.standard_normal((n, c, h, h)).astype(np.float32)
        w = rng.standard_normal((o, c // group, k, k)).astype(np.float32)
        attrs = dict(strides=[s, s], pads=[p] * 4, group=group)
        out = (h + 2 * p - k) // s + 1
        gy = rng.standard_normal((n, o, out, out)).astype(np.float32)
        row = {"case": dict(N=n, C=c, O=o, H=h, k=k, stride=s, pad=p, group=group), "threads": args.threads}
        parts = horn_parts(x, w, gy, attrs)
        for part, (model, feeds) in parts.items():
            row[part] = _time(_session(model, args.threads), feeds, args.repeats)
        if group == 1:
            model, feeds = parts["dW"]
            want = _session(model, args.threads).run(None, feeds)[0]
            session = _session(im2col_dw(x, gy, k, attrs), args.threads)
            got = session.run(None, {"x": x, "gy": gy})[0].reshape(want.shape)
            assert np.allclose(got, want, rtol=1e-3, atol=1e-2 * np.abs(want).max())
            row["dW-im2col"] = _time(session, {"x": x, "gy": gy}, args.repeats)
        print(json.dumps(row))


if __name__ == "__main__":
    main()
