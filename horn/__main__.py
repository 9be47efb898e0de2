"""`python -m horn`: train a small network on the bundled digits data, report its test
accuracy, and export it to model.onnx (then check the file against predict())."""

import argparse
import time

import numpy as np


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m horn", description=__doc__)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--output", default="model.onnx", help="where to write the exported model")
    args = parser.parse_args(argv)

    import horn as keras
    from horn.runtime import load

    keras.config.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16
    x_test = x_test.reshape(-1, 64).astype("float32") / 16
    y_train = keras.utils.to_categorical(y_train, 10)
    y_test = keras.utils.to_categorical(y_test, 10)

    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1, verbose=2)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    print(f"test accuracy {accuracy:.4f}, test loss {loss:.4f} ({len(x_train)} training images, "
          f"{args.epochs} epochs in {seconds:.1f} s)")

    model.export(args.output, verbose=False)
    exported = load(args.output).predict(x_test)
    gap = float(np.abs(exported - model.predict(x_test, verbose=0)).max())
    print(f"exported {args.output}: onnxruntime on the file matches predict() to {gap:.1e}")


if __name__ == "__main__":
    main()
