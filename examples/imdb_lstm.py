"""The classic Keras imdb_lstm example, on synthetic reviews generated here.

Embedding(max_features, 32) -> LSTM(32) -> Dense(1, sigmoid), trained with Adam (learning rate
0.01) on binary cross-entropy, as in the Keras example (which uses 128 units, Adam's default
learning rate and the real IMDB reviews).

The IMDB download is not available, so the reviews are generated, deterministically from a
seed, with the shape of IMDB's: integer word ids (0 is padding, 1 starts a review), lengths
20-80 left-padded to 80 as `pad_sequences` does, filler words drawn with Zipf-like
frequencies. Each review holds one sentiment word (ids 10-19 are positive, 20-29 negative),
negated with probability 0.4 by a "not" (id 4) right before it; half the reviews also hold a
decoy "not" before some filler word. The label is the sentiment after negation. A bag of words
cannot solve it (every sentiment word and "not" occur in both classes; only which word the
"not" precedes tells), a recurrent network can.

    python examples/imdb_lstm.py [--epochs 5] [--train 6000]

prints the test loss and accuracy: near 0.5 while it looks for the rule, then >= 0.99 (5 epochs,
10-25 s on 2 cores).
"""

import argparse
import time

import numpy as np

import horn as keras

MAX_FEATURES, MAXLEN = 2000, 80
START, NOT = 1, 4
POSITIVE, NEGATIVE = np.arange(10, 20), np.arange(20, 30)
FILLER = np.arange(30, MAX_FEATURES)


def make_reviews(n, seed=0, maxlen=MAXLEN):
    """(ids (n, maxlen) int32, left-padded; labels (n,) float32 in {0, 1})."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(FILLER) + 1)  # Zipf-like word frequencies
    weights /= weights.sum()
    x = np.zeros((n, maxlen), np.int32)
    y = np.zeros(n, np.float32)
    for row in range(n):
        positive = bool(rng.integers(2))
        negated = rng.random() < 0.4
        sentiment = [NOT] * negated + [int(rng.choice(POSITIVE if positive else NEGATIVE))]
        decoy = [NOT, int(rng.choice(FILLER[:50]))] if rng.random() < 0.5 else []
        length = int(rng.integers(min(20, maxlen), maxlen + 1))
        words = list(rng.choice(FILLER, length - 1 - len(sentiment) - len(decoy), p=weights))
        for insert in (sentiment, decoy):
            at = int(rng.integers(0, len(words) + 1))
            words[at:at] = insert
        x[row, maxlen - length:] = [START] + words
        y[row] = float(positive != negated)
    return x, y


def build(max_features=MAX_FEATURES, units=32, maxlen=MAXLEN, learning_rate=0.01):
    L = keras.layers
    model = keras.Sequential([
        keras.Input((maxlen,), dtype="int32"),
        L.Embedding(max_features, units),
        L.LSTM(units),
        L.Dense(1, activation="sigmoid"),
    ])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  metrics=["accuracy"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train", type=int, default=6000, help="training reviews")
    parser.add_argument("--test", type=int, default=2000, help="test reviews")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--units", type=int, default=32)
    parser.add_argument("--maxlen", type=int, default=MAXLEN, help="review length after padding (>= 20)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    keras.config.set_random_seed(args.seed)
    x_train, y_train = make_reviews(args.train, seed=args.seed, maxlen=args.maxlen)
    x_test, y_test = make_reviews(args.test, seed=args.seed + 1, maxlen=args.maxlen)
    print(f"{len(x_train)} train sequences, {len(x_test)} test sequences; x_train shape: {x_train.shape}; "
          f"positive share {y_train.mean():.2f}")
    model = build(units=args.units, maxlen=args.maxlen, learning_rate=args.learning_rate)
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
