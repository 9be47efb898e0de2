"""Mistakes a user makes, and the messages that name who, what was expected and what was got."""

import re

import numpy as np
import pytest

import horn as keras
from horn import layers


def _model(compiled=True):
    model = keras.Sequential([layers.Dense(8, activation="relu", input_dim=64, name="hidden"),
                              layers.Dense(2, name="out")])
    if compiled:
        model.compile(optimizer="sgd", loss="mse")
    return model


# -- shapes -------------------------------------------------------------------------------------
WRONG_LAST_DIM = r"Layer 'hidden' expected the last axis of its input to be 64, but got input shape \(None, 32\)"


@pytest.mark.parametrize("method", ["fit", "predict", "evaluate", "train_on_batch"])
def test_dense_fed_the_wrong_last_dimension(method):
    model = _model()
    x, y = np.zeros((10, 32), np.float32), np.zeros((10, 2), np.float32)
    call = {"fit": lambda: model.fit(x, y, verbose=0), "predict": lambda: model.predict(x, verbose=0),
            "evaluate": lambda: model.evaluate(x, y, verbose=0), "train_on_batch": lambda: model.train_on_batch(x, y)}
    with pytest.raises(ValueError, match=WRONG_LAST_DIM):
        call[method]()


def test_dense_fed_the_wrong_last_dimension_eagerly():
    dense = layers.Dense(2, name="eager_dense")
    dense(np.zeros((1, 3), np.float32))
    with pytest.raises(ValueError, match=r"'eager_dense'.*to be 3.*\(None, 4\)"):
        dense(np.zeros((1, 4), np.float32))


def test_dense_fed_the_wrong_last_dimension_functionally():
    dense = layers.Dense(2, name="shared")
    dense(keras.Input(shape=(3,)))
    with pytest.raises(ValueError, match=r"'shared'.*to be 3.*\(None, 5\)"):
        dense(keras.Input(shape=(5,)))


@pytest.mark.parametrize("method", ["fit", "predict"])
def test_3d_input_to_a_2d_model(method):
    model = _model()
    x = np.zeros((10, 4, 64), np.float32)
    with pytest.raises(ValueError, match=r"expects arrays of shape \(None, 64\), "
                                         r"but got an array of shape \(10, 4, 64\)"):
        if method == "fit":
            model.fit(x, np.zeros((10, 2)), verbose=0)
        else:
            model.predict(x, verbose=0)


def test_flatten_then_dense_on_wrong_image_size():
    model = keras.Sequential([layers.Flatten(input_shape=(4, 4)), layers.Dense(2, name="after_flatten")])
    # the first layer that cannot take the data names itself
    with pytest.raises(ValueError, match=r"'after_flatten' expected the last axis of its input to be 16, "
                                         r"but got input shape \(None, 25\)"):
        model.predict(np.zeros((3, 5, 5)), verbose=0)


def test_reshape_to_an_impossible_shape():
    with pytest.raises(ValueError, match=r"Layer 'bad_reshape' cannot reshape input shape \(None, 7\).*\(4, 5\)"):
        layers.Reshape((4, 5), name="bad_reshape")(keras.Input(shape=(7,)))


# -- fit / data -------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_not_compiled(method):
    model = _model(compiled=False)
    x, y = np.zeros((4, 64)), np.zeros((4, 2))
    with pytest.raises(RuntimeError, match=rf"{method}\(\) needs the model to be compiled first: call model.compile"):
        getattr(model, method)(x, y)


def test_x_and_y_of_different_lengths():
    with pytest.raises(ValueError, match=r"cardinality.*x sizes: 10.*y sizes: 9"):
        _model().fit(np.zeros((10, 64)), np.zeros((9, 2)), verbose=0)


def test_multi_input_of_different_lengths():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    model = keras.Model([a, b], [layers.Dense(1)(a), layers.Dense(1)(b)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"cardinality.*x sizes: 5, 6"):
        model.fit([np.zeros((5, 2)), np.zeros((6, 2))], [np.zeros((5, 1)), np.zeros((5, 1))], verbose=0)


@pytest.mark.parametrize("method", ["fit", "predict"])
def test_non_numeric_input(method):
    model = _model()
    x = np.array([["a"] * 64] * 10)
    with pytest.raises(TypeError, match=rf"{method}\(\) expected numeric input.*dtype <U1"):
        if method == "fit":
            model.fit(x, np.zeros((10, 2)), verbose=0)
        else:
            model.predict(x, verbose=0)


def test_non_numeric_input_before_build():
    model = keras.Sequential([layers.Dense(2)])
    with pytest.raises(TypeError, match=r"predict\(\) expected numeric input"):
        model.predict(np.array([["x", "y"]]), verbose=0)


def test_non_numeric_targets():
    with pytest.raises(TypeError, match=r"fit\(\) expected numeric target"):
        _model().fit(np.zeros((2, 64)), np.array([["a", "b"], ["c", "d"]]), verbose=0)


# -- compile ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, suggestion", [("sgdd", "sgd"), ("adamm", "adam"), ("rmsprob", "rmsprop")])
def test_unknown_optimizer(name, suggestion):
    with pytest.raises(ValueError, match=rf"Unknown optimizer '{name}'. Did you mean '{suggestion}'\?"):
        _model(compiled=False).compile(optimizer=name, loss="mse")


@pytest.mark.parametrize("name, suggestion", [("categorical_crosentropy", "categorical_crossentropy"),
                                              ("mean_squared_eror", "mean_squared_error")])
def test_unknown_loss(name, suggestion):
    with pytest.raises(ValueError, match=rf"Unknown loss '{name}'. Did you mean '{suggestion}'\?"):
        _model(compiled=False).compile(optimizer="sgd", loss=name)


def test_unknown_activation():
    with pytest.raises(ValueError, match=r"Unknown activation 'relu7'.*relu6"):
        layers.Dense(2, activation="relu7")


# -- layer arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize("make, name", [
    (lambda: layers.Dense(3, foo=1), "foo"),
    (lambda: layers.Dropout(0.5, keep_prob=0.5), "keep_prob"),
    (lambda: layers.Flatten(units=3), "units"),
    (lambda: layers.Reshape((2, 3), shape=(2, 3)), "shape"),
], ids=["Dense", "Dropout", "Flatten", "Reshape"])
def test_unknown_layer_kwarg(make, name):
    with pytest.raises(TypeError, match=rf"got unexpected keyword argument\(s\) \['{name}'\]"):
        make()


@pytest.mark.parametrize("legacy, new", [("output_dim", "units"), ("init", "kernel_initializer")])
def test_keras1_dense_argument(legacy, new):
    with pytest.raises(TypeError, match=f"Keras 1 argument '{legacy}': use '{new}'"):
        layers.Dense(**{legacy: 3} if legacy == "output_dim" else {"units": 3, legacy: "zeros"})


def test_dense_without_units():
    with pytest.raises(TypeError, match="missing 1 required argument: 'units'"):
        layers.Dense(activation="relu")


@pytest.mark.parametrize("units", [0, -2, 2.5, "4"])
def test_dense_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match=r"Dense\(units=...\) needs a positive integer, got"):
        layers.Dense(units=units)


def test_dense_units_accepts_numpy_integers():
    assert layers.Dense(np.int64(3)).units == 3


@pytest.mark.parametrize("rate", [1.5, 1.0, -0.1])
def test_dropout_rate_out_of_range(rate):
    with pytest.raises(ValueError, match=rf"Dropout\(rate=...\) must be in \[0, 1\), got {rate}"):
        layers.Dropout(rate=rate)


def test_dropout_rate_not_a_number():
    with pytest.raises(TypeError, match=r"Dropout\(rate=...\) must be a number"):
        layers.Dropout(rate="0.5")


@pytest.mark.parametrize("target", [(-1, -1), (0, 3), (-2, 3)])
def test_reshape_bad_target(target):
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape(target)


def test_model_with_disconnected_input():
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(keras.Input(shape=(3,)), layers.Dense(2)(keras.Input(shape=(4,))))


def test_a_nan_loss_stops_fit_with_an_error_that_says_why():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e6), loss="mse")
    x = np.full((8, 2), 1e3, np.float32)
    with pytest.raises(FloatingPointError, match=r"loss became (nan|inf) in epoch (\d).*lower learning rate") as e:
        model.fit(x, x[:, :1], epochs=10, verbose=0)
    epoch = int(re.search(r"in epoch (\d+)", str(e.value)).group(1))
    assert len(model.history.history["loss"]) == epoch  # the epochs up to the failure are kept
    bad = x.copy()
    bad[3, 1] = np.nan
    fresh = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    fresh.compile(optimizer="sgd", loss="mse")
    with pytest.raises(FloatingPointError, match="input array x contains NaN"):
        fresh.fit(bad, x[:, :1], epochs=2, verbose=0)
