"""An LSTM's training step, looped (ONNX Scan, horn's default) against unrolled (unroll=True).

One LSTM layer (batch 32, input 128, units 128, last output) -> Dense(1), mse, SGD with a
learning rate of 0 (the weights stay put, so every step does the same work), onnxruntime CPU,
for sequence lengths T. For each lowering: the step time of `train_on_batch` (best of several
rounds, the lowerings interleaved, robust on a shared machine), the first call (graph build +
optimization + ORT session = compile time) and the node count of the training program
(a loop body's nodes counted in).

    python benchmarks/scan_vs_unroll.py [--lengths 10 20 40 80 160] [--rounds 5] [--steps 15]

Prints a JSON line per length and a table at the end. SCAN_FROM_STEPS in
horn/frontend/layers/rnn/rnn.py is chosen from it.
"""

import argparse
import json
import time

import numpy as np
import onnx

import horn as keras
import horn.runtime.program as hprog

B, I, H = 32, 128, 128


def _count_nodes(graph):
    total = 0
    for node in graph.node:
        total += 1
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                total += _count_nodes(attr.g)
    return total


def _compile_records():
    records = []
    original = hprog.make_session

    def make_session(model_bytes):
        records.append(_count_nodes(onnx.load_from_string(model_bytes).graph))
        return original(model_bytes)

    hprog.make_session = make_session
    return records


def build(steps, unroll):
    model = keras.Sequential([keras.Input((steps, I)), keras.layers.LSTM(H, unroll=unroll), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.0), "mse")
    return model


def measure(steps, rounds, reps, records):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (B, steps, I)).astype(np.float32)
    y = rng.uniform(-1, 1, (B, 1)).astype(np.float32)
    models, result = {}, {"T": steps}
    for name, unroll in (("scan", False), ("unrolled", True)):
        start = time.perf_counter()
        model = build(steps, unroll)
        model.train_on_batch(x, y)
        result[f"{name}_first_s"] = round(time.perf_counter() - start, 3)
        result[f"{name}_nodes"] = records[-1]
        models[name] = model
    best = {name: float("inf") for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            for _ in range(3):
                model.train_on_batch(x, y)
            start = time.perf_counter()
            for _ in range(reps):
                model.train_on_batch(x, y)
            best[name] = min(best[name], (time.perf_counter() - start) / reps)
    for name, seconds in best.items():
        result[f"{name}_ms"] = round(seconds * 1e3, 2)
    result["scan_over_unrolled"] = round(best["scan"] / best["unrolled"], 3)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 20, 40, 80, 160])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()
    records = _compile_records()
    rows = []
    for steps in args.lengths:
        row = measure(steps, args.rounds, args.steps, records)
        print(json.dumps(row), flush=True)
        rows.append(row)
    print("\n| T | scan ms | unrolled ms | scan/unrolled | first call scan / unrolled (s) | nodes scan / unrolled |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['T']} | {r['scan_ms']} | {r['unrolled_ms']} | {r['scan_over_unrolled']} | "
              f"{r['scan_first_s']} / {r['unrolled_first_s']} | {r['scan_nodes']} / {r['unrolled_nodes']} |")


if __name__ == "__main__":
    main()
