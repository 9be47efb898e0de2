"""The classic Keras mnist_cnn example, on the digits bundled with horn.

Conv2D(32, 3x3, relu) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2) -> Dropout(0.25) -> Flatten ->
Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax), trained with Adadelta(learning_rate=1.0)
on categorical cross-entropy, as in the Keras example.

The bundled digits are 8x8 images (1,797 of them, values 0-16) rather than MNIST's 28x28. The
architecture fits them as they are, with the example's 'valid' padding: the two 3x3
convolutions take 8x8 to 6x6 and 4x4, the pooling to 2x2, so Flatten gives 2x2x64 = 256
features (MNIST gives 12x12x64 = 9,216). Upsampling would only repeat pixels, make every step
several times slower and add nothing the network could learn from, and 'same' padding would
change the classic architecture, so the images go in unchanged, scaled to [0, 1]. The batch is
32 (the example's 128 would leave 11 steps per epoch on 1,437 training images).

    python examples/mnist_cnn.py [--epochs 12] [--batch-size 32]

prints the test loss and accuracy (>= 0.9 after a few epochs; ~0.98 after 12).
"""

import argparse
import time

import horn as keras


def load(num_classes=10):
    """Digits as (n, 8, 8, 1) float32 in [0, 1] with one-hot labels, train and test."""
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 8, 8, 1).astype("float32") / 16
    x_test = x_test.reshape(-1, 8, 8, 1).astype("float32") / 16
    return ((x_train, keras.utils.to_categorical(y_train, num_classes)),
            (x_test, keras.utils.to_categorical(y_test, num_classes)))


def build(input_shape=(8, 8, 1), num_classes=10):
    L = keras.layers
    model = keras.Sequential([
        keras.Input(input_shape),
        L.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        L.Conv2D(64, (3, 3), activation="relu"),
        L.MaxPooling2D(pool_size=(2, 2)),
        L.Dropout(0.25),
        L.Flatten(),
        L.Dense(128, activation="relu"),
        L.Dropout(0.5),
        L.Dense(num_classes, activation="softmax"),
    ])
    model.compile(loss=keras.losses.categorical_crossentropy,
                  optimizer=keras.optimizers.Adadelta(learning_rate=1.0), metrics=["accuracy"])
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    keras.config.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load()
    print(f"x_train shape: {x_train.shape}; {len(x_train)} train samples, {len(x_test)} test samples")
    model = build(x_train.shape[1:])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose,
              validation_data=(x_test, y_test))
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f} ({args.epochs} epochs in {seconds:.1f} s)")
    return accuracy


if __name__ == "__main__":
    main()
