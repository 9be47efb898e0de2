"""A convolutional-recurrent classifier: Conv1D -> MaxPooling1D -> GRU on 1-D signals.

The pattern of Keras's imdb_cnn_lstm example (a convolution finds local features, pooling
shortens the sequence, a recurrent layer reads the order of what was found), on signals
generated here: 128 noisy samples holding two bursts, each either fast (period 4) or slow
(period 16) oscillation, at random places, amplitudes and phases. The class is the order of
the bursts: fast then slow (0), slow then fast (1), or two of the same kind (2). The
convolution tells fast from slow locally; only the recurrent layer can tell which came first.

    Conv1D(32, 9, relu) -> MaxPooling1D(4) -> GRU(32) -> Dense(3, softmax)

trained with Adam on sparse categorical cross-entropy.

    python examples/conv_gru.py [--epochs 8] [--train 4000]

prints the test loss and accuracy (~0.99 after 8 epochs, ~15 s on 2 cores).
"""

import argparse
import time

import numpy as np

import horn as keras

LENGTH, BURST = 128, 24
PERIODS = (4, 16)  # fast, slow


def make_signals(n, seed=0):
    """(x (n, LENGTH, 1) float32, labels (n,) int32 in {0, 1, 2})."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.3, (n, LENGTH, 1)).astype(np.float32)
    y = np.zeros(n, np.int32)
    t = np.arange(BURST)
    window = np.hanning(BURST)
    for row in range(n):
        kinds = rng.integers(0, 2, 2)  # 0 fast, 1 slow; in order of time
        first = int(rng.integers(0, LENGTH // 2 - BURST))
        second = int(rng.integers(LENGTH // 2, LENGTH - BURST))
        for start, kind in zip((first, second), kinds):
            wave = np.sin(2 * np.pi * t / PERIODS[kind] + rng.uniform(0, 2 * np.pi))
            x[row, start:start + BURST, 0] += rng.uniform(0.8, 1.5) * window * wave
        y[row] = 2 if kinds[0] == kinds[1] else int(kinds[0])
    return x, y


def build(filters=32, units=32):
    L = keras.layers
    model = keras.Sequential([
        keras.Input((LENGTH, 1)),
        L.Conv1D(filters, 9, activation="relu"),
        L.MaxPooling1D(4),
        L.GRU(units),
        L.Dense(3, activation="softmax"),
    ])
    model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.005),
                  metrics=["accuracy"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--train", type=int, default=4000)
    parser.add_argument("--test", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    keras.config.set_random_seed(args.seed)
    x_train, y_train = make_signals(args.train, seed=args.seed)
    x_test, y_test = make_signals(args.test, seed=args.seed + 1)
    print(f"{len(x_train)} train signals, {len(x_test)} test signals; x shape {x_train.shape[1:]}; "
          f"class counts {np.bincount(y_train).tolist()}")
    model = build()
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose,
              validation_data=(x_test, y_test))
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=args.batch_size, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f} ({args.epochs} epochs in {seconds:.1f} s)")
    return accuracy


if __name__ == "__main__":
    main()
