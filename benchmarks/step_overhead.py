"""horn's fixed cost per training step and per predict() call, on a model too small to compute.

A Dense(1) model on one feature, batch size 1: nearly all of a step's time is the fixed
cost (Python glue + one onnxruntime call). Prints JSON lines like the peers' harness.

    python benchmarks/step_overhead.py
"""

import json
import statistics
import time

import numpy as np

import horn as keras


def per_call_us(fn, n, repeats=5):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(n)
        times.append((time.perf_counter() - t) / n * 1e6)
    return statistics.median(times), min(times)


def main():
    keras.config.set_num_threads(1)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    n = 20000
    x = np.ones((n, 1), np.float32)
    model.fit(x[:64], x[:64], batch_size=1, epochs=1, verbose=0)  # compile and warm up

    med, best = per_call_us(lambda k: model.fit(x[:k], x[:k], batch_size=1, epochs=1, verbose=0), n)
    print(json.dumps({"metric": "fit_step_fixed_us", "median": med, "min": best, "framework": "horn"}))

    # The floor: one run_with_iobinding of the same program, no Python glue around it.
    program = next(iter(model._train_programs.values()))
    binding = program._last[1][2][0]  # the binding fit() used for batches of one
    sess = program.session

    def raw(k):
        for _ in range(k):
            sess.run_with_iobinding(binding)

    med, best = per_call_us(raw, n)
    print(json.dumps({"metric": "run_with_iobinding_us", "median": med, "min": best, "framework": "onnxruntime"}))

    x1 = x[:1]
    model.predict(x1)
    med, best = per_call_us(lambda k: [model.predict(x1) for _ in range(k)], 5000)
    print(json.dumps({"metric": "predict_b1_us", "median": med, "min": best, "framework": "horn"}))


if __name__ == "__main__":
    main()
