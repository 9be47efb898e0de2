"""Where the imdb_lstm training step goes: the bench's model (Embedding 20000x128 -> LSTM 128 ->
Dense 1, length 80, batch 32, Adam, binary cross-entropy), its training program as horn compiles
it, run under onnxruntime's profiler, with the kernel time summed by op type (and by the part of
the step it belongs to: forward, backward through time, embedding gradient, optimizer).

    python benchmarks/lstm_step.py [--threads 2] [--steps 60] [--vocab 20000] [--variants]

Prints the step time (median wall ms of session.run, and of model.train_on_batch), the node
count, and a table of op types by total kernel time per step (the profiler adds a few us per
node, so the small elementwise ops of the unrolled LSTM read high). With --variants it times,
interleaved and best-of (robust on a shared machine), the full model against the same model
with the embedding table frozen (no table gradient, no Adam on it), with a 200-row table, and
with Adam applied to the dense table gradient (horn's form before the row-sparse update):
the differences are what the 20000-row table's gradient and Adam update cost.
"""

import argparse
import collections
import glob
import json
import os
import statistics
import tempfile
import time

import numpy as np
import onnxruntime as ort

import horn as keras
from horn.frontend import programs

SEQ, BATCH = 80, 32


class DenseAdam(keras.optimizers.Adam):
    """Adam applied to the dense table gradient (the update before the row-sparse form): the
    Identity hides the gradient's scatter from Adam, and the passes remove it afterwards."""

    def update(self, p, g, slots, lr, t):
        return super().update(p, keras.ops.identity(g), slots, lr, t)


def build(vocab, units, trainable=True, optimizer=keras.optimizers.Adam):
    model = keras.Sequential([keras.Input((SEQ,), dtype="int32"),
                              keras.layers.Embedding(vocab, units, trainable=trainable),
                              keras.layers.LSTM(units), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer(), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _part(event_args, vocab):
    """Which part of the step a node belongs to, from the shapes it reads and writes."""
    shapes = [tuple(d.values())[0] for d in event_args.get("output_type_shape", []) + event_args.get(
        "input_type_shape", [])]
    if any(vocab in s for s in shapes):
        return "embedding table (gradient scatter + Adam)"
    if event_args["op_name"] in ("Gemm", "MatMul", "FusedMatMul"):
        return "matmuls"
    return "other elementwise/shape"


def variants(args, y):
    """Best-of step times of the full model, the table frozen, and a 200-row table."""
    rng = np.random.default_rng(1)
    x = rng.integers(0, args.vocab, (BATCH, SEQ), dtype=np.int32)
    models = {f"{args.vocab}-row table": (build(args.vocab, args.units), x),
              f"{args.vocab}-row table, dense Adam": (build(args.vocab, args.units, optimizer=DenseAdam), x),
              "table frozen": (build(args.vocab, args.units, trainable=False), x),
              "200-row table": (build(200, args.units), x % 200)}
    best = dict.fromkeys(models, float("inf"))
    for model, ids in models.values():
        for _ in range(5):
            model.train_on_batch(ids, y)
    for _ in range(6):
        for name, (model, ids) in models.items():
            for _ in range(max(1, args.steps // 4)):
                t = time.perf_counter()
                model.train_on_batch(ids, y)
                best[name] = min(best[name], time.perf_counter() - t)
    for name, seconds in best.items():
        print(f"{name}: {1e3 * seconds:.2f} ms/step (best of {6 * max(1, args.steps // 4)})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--vocab", type=int, default=20000)
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--variants", action="store_true", help="time the table's share instead of profiling")
    args = parser.parse_args(argv)
    keras.config.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    x = rng.integers(0, args.vocab, (BATCH, SEQ), dtype=np.int32)
    y = rng.integers(0, 2, (BATCH, 1)).astype(np.float32)
    if args.variants:
        return variants(args, y)
    model = build(args.vocab, args.units)
    for _ in range(5):
        model.train_on_batch(x, y)
    walls = []
    for _ in range(args.steps):
        t = time.perf_counter()
        model.train_on_batch(x, y)
        walls.append(time.perf_counter() - t)
    print(f"train_on_batch: median {1e3 * statistics.median(walls):.2f} ms/step "
          f"({BATCH / statistics.median(walls):.0f} samples/s)")

    state = model._training_state()
    graph, _ = programs.train_graph(model, [((None, SEQ), np.int32)], [((None, 1), np.float32)], state)
    onnx_model = programs.compile_graph(graph)
    kinds = collections.Counter(n.op_type for n in onnx_model.graph.node)
    print(f"training program: {len(onnx_model.graph.node)} nodes; " +
          ", ".join(f"{k} {v}" for k, v in kinds.most_common(12)))

    feeds = {}
    arrays = dict(zip(state.names, state.arrays))
    for inp in graph.inputs:
        if inp.name in arrays:
            feeds[inp.name] = arrays[inp.name]
        elif inp.name == "learning_rate":
            feeds[inp.name] = np.array(1e-3, np.float32)
        elif inp.dtype == np.int32:
            feeds[inp.name] = x
        else:
            feeds[inp.name] = y
    with tempfile.TemporaryDirectory() as tmp:
        so = ort.SessionOptions()
        so.intra_op_num_threads, so.inter_op_num_threads = args.threads, 1
        so.enable_profiling, so.profile_file_prefix = True, os.path.join(tmp, "lstm")
        session = ort.InferenceSession(onnx_model.SerializeToString(), so, providers=["CPUExecutionProvider"])
        for _ in range(5):
            session.run(None, feeds)
        runs = []
        for _ in range(args.steps):
            t = time.perf_counter()
            session.run(None, feeds)
            runs.append(time.perf_counter() - t)
        session.end_profiling()
        events = json.load(open(glob.glob(os.path.join(tmp, "lstm*.json"))[0]))
    print(f"session.run (profiling on): median {1e3 * statistics.median(runs):.2f} ms/step")
    per_type, per_part = collections.defaultdict(float), collections.defaultdict(float)
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            per_type[e["args"]["op_name"]] += e["dur"]
            per_part[_part(e["args"], args.vocab)] += e["dur"]
    total = sum(per_type.values())
    steps = args.steps + 5
    print(f"kernel time: {total / steps / 1e3:.2f} ms/step; " +
          ", ".join(f"{k} {v / steps / 1e3:.2f} ms" for k, v in sorted(per_part.items(), key=lambda kv: -kv[1])))
    print("| op | ms/step | share |\n|---|---|---|")
    for name, us in sorted(per_type.items(), key=lambda kv: -kv[1])[:14]:
        print(f"| {name} | {us / steps / 1e3:.2f} | {100 * us / total:.1f}% |")


if __name__ == "__main__":
    main()
