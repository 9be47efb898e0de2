"""What an embedding table's update costs per optimizer, row-sparse against dense: a training
step of Embedding(vocab, 128) -> GlobalAveragePooling1D -> Dense(1) (batch 32, length 80, the
imdb_lstm bench's lookups) whose time is nearly all the table's gradient and update.

    python benchmarks/table_update.py [--vocab 20000] [--threads 1] [--optimizers adam rmsprop]

Interleaved and best-of (robust on a shared machine): each optimizer as horn builds it (the
row-sparse form where the table is big enough, optimizers.row_gradient) beside its dense form
(an Identity hides the gradient's scatter from the optimizer), and the table frozen.
"""

import argparse
import time

import numpy as np

import horn as keras

SEQ, BATCH, UNITS = 80, 32, 128
OPTIMIZERS = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop, "sgd": keras.optimizers.SGD,
              "adagrad": keras.optimizers.Adagrad, "adadelta": keras.optimizers.Adadelta}


def dense_form(optimizer):
    """The optimizer on the dense table gradient (its update before the row-sparse form)."""
    update = optimizer.update
    optimizer.update = lambda p, g, slots, lr, t: update(p, keras.ops.identity(g), slots, lr, t)
    return optimizer


def build(vocab, optimizer, trainable=True):
    model = keras.Sequential([keras.Input((SEQ,), dtype="int32"),
                              keras.layers.Embedding(vocab, UNITS, trainable=trainable),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--optimizers", nargs="+", default=list(OPTIMIZERS), choices=list(OPTIMIZERS))
    args = parser.parse_args(argv)
    keras.config.set_num_threads(args.threads)
    rng = np.random.default_rng(1)
    x = rng.integers(0, args.vocab, (BATCH, SEQ), dtype=np.int32)
    y = rng.integers(0, 2, (BATCH, 1)).astype(np.float32)
    models = {"table frozen": build(args.vocab, "adam", trainable=False)}
    for name in args.optimizers:
        models[name] = build(args.vocab, OPTIMIZERS[name]())
        models[f"{name}, dense"] = build(args.vocab, dense_form(OPTIMIZERS[name]()))
    best = dict.fromkeys(models, float("inf"))
    for model in models.values():
        for _ in range(3):
            model.train_on_batch(x, y)
    for _ in range(args.rounds):
        for name, model in models.items():
            for _ in range(10):
                t = time.perf_counter()
                model.train_on_batch(x, y)
                best[name] = min(best[name], time.perf_counter() - t)
    print(f"vocab {args.vocab}, {args.threads} thread(s), best of {10 * args.rounds} steps, ms/step:")
    for name, seconds in best.items():
        print(f"  {name}: {1e3 * seconds:.2f}")


if __name__ == "__main__":
    main()
