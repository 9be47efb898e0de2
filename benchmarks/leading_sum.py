"""Sums over leading axes as onnxruntime's ReduceSum against ones(1, M) @ x (compiler/passes/
leading_sum.py), on the shapes of the bench workloads' bias gradients, interleaved and best-of.

    python benchmarks/leading_sum.py [--threads 2] [--rounds 7]
"""

import argparse
import time

import numpy as np

import horn as keras
from horn.compiler import Graph, op, to_onnx
from horn.compiler.passes.leading_sum import sum_leading_axes_by_matmul
from horn.runtime import Program

# (shape with the batch axis dynamic, axes): mnist_mlp's Dense bias, imdb_lstm's LSTM bias (time,
# batch, 4 units), mnist_cnn's conv2 weight gradient (batch, out channels, in channels x taps).
CASES = [((128, 512), [0], 0), ((80, 32, 512), [0, 1], 1), ((128, 64, 288), [0], 0), ((32, 128), [0], 0)]


def program(shape, axes, dynamic_axis, rewrite):
    g = Graph("sum")
    x = g.input(tuple(None if i == dynamic_axis else d for i, d in enumerate(shape)), np.float32, "x")
    with g.building():
        y = op.ReduceSum(x, np.array(axes, np.int64), keepdims=0)
    g.outputs, g.output_names = [y], ["y"]
    if rewrite:
        g, _ = sum_leading_axes_by_matmul(g)
    return Program(to_onnx(g).SerializeToString())


def best_us(prog, x, calls=20):
    prog(x)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        prog(x)
        times.append(time.perf_counter() - start)
    return min(times) * 1e6


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    keras.config.set_num_threads(args.threads)
    for shape, axes, dynamic_axis in CASES:
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        plain, rewritten = program(shape, axes, dynamic_axis, False), program(shape, axes, dynamic_axis, True)
        np.testing.assert_allclose(rewritten(x)[0], plain(x)[0], rtol=1e-4, atol=1e-3)
        a, b = [], []
        for _ in range(args.rounds):
            a.append(best_us(plain, x))
            b.append(best_us(rewritten, x))
        print(f"{shape} axes {axes}: ReduceSum {np.median(a):.0f} us, MatMul with ones {np.median(b):.0f} us "
              f"({args.threads} threads)")


if __name__ == "__main__":
    main()
