"""Where a Keras mnist_cnn training step spends its time, op type by op type (onnxruntime's
profiler on horn's training program; MNIST's 28x28 shape, batch 128, 1 thread by default).

The pooling's share is MaxPool (which emits its Indices in training) + ScatterND +
ConstantOfShape (the gradient), or AveragePool + Resize (its gradient) with --pool average.

    python benchmarks/pooling_step_profile.py [--pool max|average] [--batch 128] [--threads 1]
"""

import argparse
import collections
import json
import os
import tempfile

import numpy as np
import onnxruntime as ort

import horn as keras
from horn.frontend import programs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pool", choices=["max", "average"], default="max")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    keras.config.set_random_seed(0)
    L = keras.layers
    pool = L.MaxPooling2D if args.pool == "max" else L.AveragePooling2D
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                              L.Conv2D(64, 3, activation="relu"), pool(2), L.Flatten(),
                              L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adadelta(1.0))
    state = model._training_state()
    graph, _ = programs.train_graph(model, [((None, 28, 28, 1), np.float32)], [((None, 10), np.float32)], state)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads, so.log_severity_level = args.threads, 1, 3
    so.enable_profiling = True
    so.profile_file_prefix = os.path.join(tempfile.mkdtemp(), "step")
    session = ort.InferenceSession(programs.compile_graph(graph).SerializeToString(), so,
                                   providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {}
    for i in session.get_inputs():
        shape = [args.batch if not isinstance(d, int) else d for d in i.shape]
        feeds[i.name] = (np.asarray(rng.random(shape) * 0.1, np.float32) if i.type == "tensor(float)"
                         else np.zeros(shape, np.int64))
    session.run(None, feeds)  # warm-up, profiled too: subtracted below by counting runs
    for _ in range(args.runs):
        session.run(None, feeds)
    events = json.load(open(session.end_profiling()))
    per_op, runs = collections.defaultdict(float), 0
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
            per_op[e["args"]["op_name"]] += e["dur"]
        runs += e.get("name") == "model_run"
    total = sum(per_op.values())
    print(json.dumps({"pool": args.pool, "batch": args.batch, "threads": args.threads,
                      "kernel_ms_per_step": round(total / runs / 1e3, 1),
                      "ops_ms_per_step": {k: round(v / runs / 1e3, 2)
                                          for k, v in sorted(per_op.items(), key=lambda kv: -kv[1])}}))


if __name__ == "__main__":
    main()
