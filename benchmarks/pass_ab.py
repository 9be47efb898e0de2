"""What one compiler pass buys: a workload of ../shared/bench compiled with every default pass
against the same model compiled without the named one, training steps interleaved in one process
(robust on a shared machine: drift hits both alike), same weights and batches.

    python benchmarks/pass_ab.py sum_leading_axes_by_matmul [--workloads mlp,lstm] [--rounds 20]

Prints, per workload, the median step time of each form, the median of the per-round ratios
(with / without) and in how many rounds the pass's form was the faster.
"""

import argparse
import os
import sys
import time

import numpy as np

import horn as keras
from horn.frontend import programs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
import workloads  # noqa: E402


def build(name, passes, x, y):
    full = programs.DEFAULT_PASSES
    programs.DEFAULT_PASSES = passes
    try:
        model = workloads.build(keras, name)
        model.train_on_batch(x[:workloads.BATCH[name]], y[:workloads.BATCH[name]])  # compiles
    finally:
        programs.DEFAULT_PASSES = full
    return model


def step_ms(model, x, y, batch, steps):
    times = []
    for i in range(steps):
        start = time.perf_counter()
        model.train_on_batch(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch])
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pass_name", help="a function of compiler/passes in DEFAULT_PASSES")
    parser.add_argument("--workloads", default="mlp,lstm")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args(argv)
    full = programs.DEFAULT_PASSES
    without = tuple(p for p in full if p.__name__ != args.pass_name)
    if len(without) == len(full):
        parser.error(f"no pass named {args.pass_name!r}; the default passes are {[p.__name__ for p in full]}")
    keras.config.set_num_threads(2)
    for name in args.workloads.split(","):
        batch = workloads.BATCH[name]
        x, y = workloads.data(name, batch * args.steps)
        plain, passed = build(name, without, x, y), build(name, full, x, y)
        passed.set_weights(plain.get_weights())
        a, b = [], []
        for _ in range(args.rounds):
            a.append(step_ms(plain, x, y, batch, args.steps))
            b.append(step_ms(passed, x, y, batch, args.steps))
        a, b = np.array(a), np.array(b)
        print(f"{name}: step without {np.median(a):.2f} ms, with {np.median(b):.2f} ms; "
              f"ratio {np.median(b / a):.3f}; faster in {(b < a).sum()} of {len(a)} rounds")


if __name__ == "__main__":
    main()
