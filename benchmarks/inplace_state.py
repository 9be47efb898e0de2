"""What updating the training state in place gains: each workload of ../shared/bench trained
with the compiler's in-place plan (compiler/inplace.py: one buffer per planned state) against
the same model with every state alternating between two buffers, in one process, interleaved
and best-of (robust on a shared machine).

    python benchmarks/inplace_state.py [--workloads lstm,mlp,cnn] [--rounds 8] [--steps 12]

Prints, per workload, the best step time of each form and how many states each plans in place.
"""

import argparse
import os
import sys
import time

import horn as keras
from horn.frontend import programs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
import workloads  # noqa: E402


def build(name, x, y, in_place):
    original = programs.plan_inplace
    if not in_place:
        programs.plan_inplace = lambda graph, xs, ys: [None] * len(xs)
    try:
        model = workloads.build(keras, name)
        model.train_on_batch(x[:workloads.BATCH[name]], y[:workloads.BATCH[name]])
    finally:
        programs.plan_inplace = original
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="lstm,mlp,cnn")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=12)
    args = parser.parse_args(argv)
    keras.config.set_num_threads(2)
    for name in args.workloads.split(","):
        b = workloads.BATCH[name]
        x, y = workloads.data(name, b * args.steps)
        models = {"two buffers": build(name, x, y, False), "in place": build(name, x, y, True)}
        best = dict.fromkeys(models, float("inf"))
        for _ in range(args.rounds):
            for form, model in models.items():
                for i in range(args.steps):
                    t = time.perf_counter()
                    model.train_on_batch(x[i * b:(i + 1) * b], y[i * b:(i + 1) * b])
                    best[form] = min(best[form], time.perf_counter() - t)
        (program,) = models["in place"]._train_programs.values()
        n_state = len(models["in place"]._training_state().names)
        print(f"{name}: two buffers {1e3 * best['two buffers']:.2f} ms, in place {1e3 * best['in place']:.2f} ms "
              f"({len(program.inplace)} of {n_state} states in place)")


if __name__ == "__main__":
    main()
