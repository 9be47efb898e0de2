"""LSTM training cost, unrolled (horn) against a hand-built Scan forward + reverse-Scan backward.

One LSTM layer (batch 32, input 128, units 128, last output, mse loss on the 128 outputs),
onnxruntime CPU, 2 threads, sequence lengths T = 10, 40, 80, 160:

  (a) horn: `keras.Sequential([keras.Input((T, 128)), keras.layers.LSTM(128)])` compiled with
      SGD(learning_rate=0) and mse; times `model.train_on_batch` (best of N after warm-up, interleaved
      with (b) in rounds), the
      first call (graph build + ORT session = compile time), the ORT session creation alone
      (make_session wrapped) and the node count of the training program.
  (b) an ONNX model built here with onnx.helper (opset 21, ir_version 10): X·W + b hoisted as
      one MatMul, a forward `Scan` whose body is Gemm(h, R) + xw_t -> gates -> c, h and which
      also emits the per-step gates, c_{t-1}, tanh(c_t), h_{t-1}; the loss and dh_T; a reverse
      `Scan` over the saved values carrying (dh, dc) and emitting dZ_t; then dW = Xᵀ dZ,
      dR = H_prevᵀ dZ, db = Σ dZ as single Gemms / ReduceSum over all T·B rows, plus the SGD
      update (W - lr·dW, ...) so both programs do the same work. Times session.run (best of N)
      and the session creation.

The gradients are checked against each other: horn's step is run once with a large learning
rate and (w_old - w_new) / lr compared with the Scan model's dW, dR, db (relative L2 error).

    python benchmarks/scan_vs_unroll.py [--lengths 10 40 80 160] [--reps 80] [--threads 2]

Prints a JSON line per measurement and a table at the end.
"""

import argparse
import json
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

import horn as keras
import horn.runtime.program as hprog

B, I, H = 32, 128, 128
F = TensorProto.FLOAT


def _session_timer():
    """Wrap horn's make_session to record the ORT creation time and node count of each program."""
    records = []
    original = hprog.make_session

    def make_session(model_bytes):
        t = time.perf_counter()
        session = original(model_bytes)
        records.append({"seconds": time.perf_counter() - t,
                        "nodes": len(onnx.load_from_string(model_bytes).graph.node)})
        return session

    hprog.make_session = make_session
    return records


def interleaved_best(fns, reps, rounds=4, warmup=3):
    """Best-of times of several step functions, run in alternating rounds (robust on a shared machine)."""
    for fn in fns:
        for _ in range(warmup):
            fn()
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            for _ in range(max(1, reps // rounds)):
                t = time.perf_counter()
                fn()
                best[k] = min(best[k], time.perf_counter() - t)
    return best


def run_horn(T, x, y, records):
    model = keras.Sequential([keras.Input((T, I)), keras.layers.LSTM(H)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    w0 = [np.array(w) for w in model.layers[0].get_weights()]
    n_before = len(records)
    t = time.perf_counter()
    model.train_on_batch(x, y)
    first = time.perf_counter() - t
    rec = records[n_before]  # the training program's session
    step = lambda: model.train_on_batch(x, y)  # noqa: E731
    for _ in range(3):
        step()
    # gradients: one SGD step with a large learning rate, g = (w_old - w_new) / lr
    lr = 1000.0
    model.optimizer.learning_rate = lr
    model.train_on_batch(x, y)
    w1 = model.layers[0].get_weights()
    grads = [(np.asarray(a, np.float64) - np.asarray(b, np.float64)) / lr for a, b in zip(w0, w1)]
    model.optimizer.learning_rate = 0.0
    return {"first_call_s": first, "session_s": rec["seconds"], "nodes": rec["nodes"]}, step, w0, grads


def _scan_model(T):
    """Forward Scan + reverse-Scan backward + weight-gradient Gemms + SGD update, Keras gate order i,f,c,o."""
    const = lambda name, arr: helper.make_node(  # noqa: E731
        "Constant", [], [name], value=onnx.numpy_helper.from_array(np.asarray(arr), name))
    one = np.array(1.0, np.float32)

    # ---- forward body: state h, c; scan input xw_t (B,4H)
    fwd = [
        helper.make_node("Gemm", ["h", "R", "xw_t"], ["z"]),
        helper.make_node("Split", ["z"], ["zi", "zf", "zg", "zo"], axis=1, num_outputs=4),
        helper.make_node("Sigmoid", ["zi"], ["i"]),
        helper.make_node("Sigmoid", ["zf"], ["f"]),
        helper.make_node("Tanh", ["zg"], ["g"]),
        helper.make_node("Sigmoid", ["zo"], ["o"]),
        helper.make_node("Mul", ["f", "c"], ["fc"]),
        helper.make_node("Mul", ["i", "g"], ["ig"]),
        helper.make_node("Add", ["fc", "ig"], ["c_new"]),
        helper.make_node("Tanh", ["c_new"], ["tc"]),
        helper.make_node("Mul", ["o", "tc"], ["h_new"]),
        helper.make_node("Concat", ["i", "f", "g", "o"], ["act"], axis=1),
        helper.make_node("Identity", ["h"], ["h_prev"]),
        helper.make_node("Identity", ["c"], ["c_prev"]),
    ]
    v = lambda n, shape: helper.make_tensor_value_info(n, F, shape)  # noqa: E731
    fwd_body = helper.make_graph(
        fwd, "lstm_fwd", [v("h", [B, H]), v("c", [B, H]), v("xw_t", [B, 4 * H])],
        [v("h_new", [B, H]), v("c_new", [B, H]), v("act", [B, 4 * H]), v("c_prev", [B, H]),
         v("tc", [B, H]), v("h_prev", [B, H])])

    # ---- backward body: state dh, dc; scan inputs act_t, c_prev_t, tc_t (reversed)
    bwd = [
        const("one", one),
        helper.make_node("Split", ["ba"], ["bi", "bf", "bg", "bo"], axis=1, num_outputs=4),
        helper.make_node("Mul", ["dh", "btc"], ["do"]),
        helper.make_node("Mul", ["dh", "bo"], ["dtc"]),
        helper.make_node("Mul", ["btc", "btc"], ["tc2"]),
        helper.make_node("Sub", ["one", "tc2"], ["omtc2"]),
        helper.make_node("Mul", ["dtc", "omtc2"], ["dct0"]),
        helper.make_node("Add", ["dc", "dct0"], ["dct"]),
        helper.make_node("Mul", ["dct", "bg"], ["di"]),
        helper.make_node("Mul", ["dct", "bi"], ["dg"]),
        helper.make_node("Mul", ["dct", "bcp"], ["df"]),
        helper.make_node("Mul", ["dct", "bf"], ["dc_prev"]),
        # sigmoid' = s(1-s), tanh' = 1-g^2
        helper.make_node("Sub", ["one", "bi"], ["omi"]), helper.make_node("Mul", ["bi", "omi"], ["si"]),
        helper.make_node("Mul", ["di", "si"], ["dzi"]),
        helper.make_node("Sub", ["one", "bf"], ["omf"]), helper.make_node("Mul", ["bf", "omf"], ["sf"]),
        helper.make_node("Mul", ["df", "sf"], ["dzf"]),
        helper.make_node("Mul", ["bg", "bg"], ["g2"]), helper.make_node("Sub", ["one", "g2"], ["omg2"]),
        helper.make_node("Mul", ["dg", "omg2"], ["dzg"]),
        helper.make_node("Sub", ["one", "bo"], ["omo"]), helper.make_node("Mul", ["bo", "omo"], ["so"]),
        helper.make_node("Mul", ["do", "so"], ["dzo"]),
        helper.make_node("Concat", ["dzi", "dzf", "dzg", "dzo"], ["dz"], axis=1),
        helper.make_node("Gemm", ["dz", "R"], ["dh_prev"], transB=1),
    ]
    bwd_body = helper.make_graph(
        bwd, "lstm_bwd", [v("dh", [B, H]), v("dc", [B, H]), v("ba", [B, 4 * H]), v("bcp", [B, H]),
                          v("btc", [B, H])],
        [v("dh_prev", [B, H]), v("dc_prev", [B, H]), v("dz", [B, 4 * H])])

    nodes = [
        const("zeros", np.zeros((B, H), np.float32)),
        const("two_over_n", np.array(2.0 / (B * H), np.float32)),
        const("shape_x", np.array([T * B, I], np.int64)),
        const("shape_h", np.array([T * B, H], np.int64)),
        const("shape_z", np.array([T * B, 4 * H], np.int64)),
        const("ax0", np.array([0], np.int64)),
        helper.make_node("Transpose", ["X"], ["Xt"], perm=[1, 0, 2]),            # (T,B,I)
        helper.make_node("MatMul", ["Xt", "W"], ["XW0"]),
        helper.make_node("Add", ["XW0", "b"], ["XW"]),                           # (T,B,4H)
        helper.make_node("Scan", ["zeros", "zeros", "XW"],
                         ["hT", "cT", "ACT", "CPREV", "TC", "HPREV"], num_scan_inputs=1, body=fwd_body),
        helper.make_node("Sub", ["hT", "Y"], ["diff"]),
        helper.make_node("Mul", ["diff", "diff"], ["sq"]),
        helper.make_node("ReduceMean", ["sq"], ["loss"], keepdims=0),
        helper.make_node("Mul", ["diff", "two_over_n"], ["dhT"]),
        helper.make_node("Scan", ["dhT", "zeros", "ACT", "CPREV", "TC"], ["dh0", "dc0", "DZ"],
                         num_scan_inputs=3, scan_input_directions=[1, 1, 1], scan_output_directions=[1],
                         body=bwd_body),
        helper.make_node("Reshape", ["DZ", "shape_z"], ["dZ2"]),
        helper.make_node("Reshape", ["Xt", "shape_x"], ["X2"]),
        helper.make_node("Reshape", ["HPREV", "shape_h"], ["H2"]),
        helper.make_node("Gemm", ["X2", "dZ2"], ["dW"], transA=1),
        helper.make_node("Gemm", ["H2", "dZ2"], ["dR"], transA=1),
        helper.make_node("ReduceSum", ["dZ2", "ax0"], ["db"], keepdims=0),
        # SGD update, as horn's step does
        helper.make_node("Mul", ["dW", "lr"], ["uW"]), helper.make_node("Sub", ["W", "uW"], ["W_new"]),
        helper.make_node("Mul", ["dR", "lr"], ["uR"]), helper.make_node("Sub", ["R", "uR"], ["R_new"]),
        helper.make_node("Mul", ["db", "lr"], ["ub"]), helper.make_node("Sub", ["b", "ub"], ["b_new"]),
    ]
    graph = helper.make_graph(
        nodes, "lstm_scan_train",
        [v("X", [B, T, I]), v("Y", [B, H]), v("W", [I, 4 * H]), v("R", [H, 4 * H]), v("b", [4 * H]),
         v("lr", [])],
        [v("loss", []), v("dW", [I, 4 * H]), v("dR", [H, 4 * H]), v("db", [4 * H]),
         v("W_new", [I, 4 * H]), v("R_new", [H, 4 * H]), v("b_new", [4 * H])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    onnx.checker.check_model(model, full_check=True)
    return model


def run_scan(T, x, y, weights, threads):
    model = _scan_model(T)
    data = model.SerializeToString()
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    t = time.perf_counter()
    session = ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
    session_s = time.perf_counter() - t
    kernel, recurrent, bias = weights
    feeds = {"X": x, "Y": y, "W": kernel, "R": recurrent, "b": bias, "lr": np.array(0.0, np.float32)}
    out = session.run(["dW", "dR", "db"], feeds)
    t = time.perf_counter()
    session.run(None, feeds)
    first = time.perf_counter() - t
    return {"session_s": session_s, "first_run_s": first, "nodes": len(model.graph.node)}, \
        lambda: session.run(None, feeds), out


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-30))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 40, 80, 160])
    parser.add_argument("--reps", type=int, default=80)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    keras.config.set_num_threads(args.threads)
    records = _session_timer()
    rng = np.random.default_rng(0)
    rows = []
    for T in args.lengths:
        x = rng.standard_normal((B, T, I)).astype(np.float32)
        y = rng.standard_normal((B, H)).astype(np.float32)
        reps = max(20, args.reps * 40 // max(T, 40))
        unrolled, horn_step, weights, horn_grads = run_horn(T, x, y, records)
        scan, scan_step, scan_grads = run_scan(T, x, y, weights, args.threads)
        unrolled["step_s"], scan["step_s"] = interleaved_best([horn_step, scan_step], reps)
        errors = {n: rel(g, s) for n, g, s in zip(["dW", "dR", "db"], horn_grads, scan_grads)}
        ok = max(errors.values()) < 1e-4
        for kind, r in (("unrolled", unrolled), ("scan", scan)):
            print(json.dumps({"T": T, "kind": kind, "threads": args.threads, "batch": B, "input": I,
                              "units": H, "reps": reps, **{k: round(v, 6) for k, v in r.items()}}), flush=True)
        print(json.dumps({"T": T, "kind": "check", "rel_err": errors, "ok": ok}), flush=True)
        rows.append((T, unrolled, scan, errors))
    print()
    print("| T | unrolled step ms | scan step ms | unrolled session s | scan session s | unrolled first call s "
          "| unrolled nodes | max grad rel err |")
    print("|---|---|---|---|---|---|---|---|")
    for T, u, s, e in rows:
        print(f"| {T} | {1e3 * u['step_s']:.2f} | {1e3 * s['step_s']:.2f} | {u['session_s']:.3f} | "
              f"{s['session_s']:.3f} | {u['first_call_s']:.3f} | {u['nodes']} | {max(e.values()):.1e} |")


if __name__ == "__main__":
    main()
