"""The optimizer's state: `optimizer.variables` in Keras 3's order and names, saved by
model.save() and given back by load_model(), so that training resumes exactly where it stopped."""

import os
import warnings

import h5py
import numpy as np
import pytest

import horn as keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras")  # saved by real Keras

X = np.random.default_rng(0).random((64, 4), dtype=np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)

OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(0.01),
    "adam_amsgrad_ema": lambda: keras.optimizers.Adam(0.01, amsgrad=True, use_ema=True),
    "rmsprop_centered_momentum": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "adagrad": lambda: keras.optimizers.Adagrad(0.1),
    "adadelta": lambda: keras.optimizers.Adadelta(1.0),
    "adamax": lambda: keras.optimizers.Adamax(0.02),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
    "ftrl": lambda: keras.optimizers.Ftrl(0.5, l2_regularization_strength=1e-4),
    "lion": lambda: keras.optimizers.Lion(0.003, weight_decay=0.01),
}


def _model(optimizer):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile(optimizer, "mse")
    return model


def _steps(model, start, stop):
    for i in range(start, stop):
        model.train_on_batch(X[i * 16:(i + 1) * 16], Y[i * 16:(i + 1) * 16])


def test_variables_follow_keras_order_and_names():
    model = _model(keras.optimizers.Adam(0.01))
    opt = model.optimizer
    assert [v.path for v in opt.variables] == ["adam/iteration", "adam/learning_rate"]  # not built yet
    _steps(model, 0, 3)
    paths = [v.path for v in opt.variables]
    assert paths == ["adam/iteration", "adam/learning_rate",
                     "adam/hidden_kernel_momentum", "adam/hidden_kernel_velocity",
                     "adam/hidden_bias_momentum", "adam/hidden_bias_velocity",
                     "adam/out_kernel_momentum", "adam/out_kernel_velocity",
                     "adam/out_bias_momentum", "adam/out_bias_velocity"]
    values = {v.path: v.numpy() for v in opt.variables}
    assert values["adam/iteration"] == 3
    assert values["adam/learning_rate"] == np.float32(0.01)
    kernel = model.layers[0].kernel
    np.testing.assert_array_equal(values["adam/hidden_kernel_velocity"], opt._state.read_slot(kernel, "velocity"))
    momentum = values["adam/hidden_kernel_momentum"]
    assert momentum.shape == (4, 3) and np.abs(momentum).max() > 0


def test_assigned_variables_reach_the_device():
    model = _model(keras.optimizers.SGD(0.1, momentum=0.9))
    _steps(model, 0, 1)
    variables = model.optimizer.variables
    variables[0].assign(7)
    variables[2].assign(np.ones((4, 3)))  # hidden kernel's momentum
    assert model.optimizer.iterations == 7
    np.testing.assert_array_equal(model.optimizer.variables[2].numpy(), np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"sgd/hidden_kernel_momentum.*shape \(4, 3\).*shape \(2,\)"):
        variables[2].assign(np.ones(2))


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_resumes_exactly_after_save_and_load(tmp_path, suffix, name):
    straight, resumed = _model(OPTIMIZERS[name]()), _model(OPTIMIZERS[name]())
    resumed.set_weights(straight.get_weights())
    _steps(straight, 0, 4)
    _steps(resumed, 0, 2)
    path = str(tmp_path / f"m{suffix}")
    resumed.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(path)
    assert loaded.optimizer.iterations == 2
    _steps(loaded, 2, 4)
    assert loaded.optimizer.iterations == 4
    for got, want in zip(loaded.get_weights(), straight.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_without_the_saved_state_the_steps_differ(tmp_path):
    """The test above can fail: a fresh Adam after loading takes different steps."""
    straight, resumed = _model(keras.optimizers.Adam(0.01)), _model(keras.optimizers.Adam(0.01))
    resumed.set_weights(straight.get_weights())
    _steps(straight, 0, 4)
    _steps(resumed, 0, 2)
    resumed.save(str(tmp_path / "m.h5"), include_optimizer=False)
    loaded = keras.models.load_model(str(tmp_path / "m.h5"), compile=False)
    loaded.compile(keras.optimizers.Adam(0.01), "mse")
    _steps(loaded, 2, 4)
    assert max(np.abs(a - b).max() for a, b in zip(loaded.get_weights(), straight.get_weights())) > 1e-4


def test_a_state_that_does_not_fit_is_skipped_with_a_warning(tmp_path):
    model = _model(keras.optimizers.Adam(0.01))
    _steps(model, 0, 2)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:  # one slot of the wrong shape
        del f["optimizer_weights/adam/out_bias_velocity"]
        f["optimizer_weights/adam"].create_dataset("out_bias_velocity", data=np.zeros(5, np.float32))
    with pytest.warns(UserWarning, match=r"m.h5' does not fit this model \(slot 'out_bias_velocity' of shape "
                                         r"\(5,\) where 'out_bias_velocity' of shape \(1,\) was expected\)"):
        loaded = keras.models.load_model(path)
    _steps(loaded, 2, 3)
    assert loaded.optimizer.iterations == 3  # the step count was kept
    assert np.all(loaded.optimizer.variables[-1].numpy() != 0)  # a fresh slot, one step in


def test_a_compiled_but_untrained_model_saves_its_step_count_and_learning_rate(tmp_path):
    model = _model(keras.optimizers.RMSprop(0.003))
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert [(v.path, float(v.numpy())) for v in loaded.optimizer.variables] == [
        ("rmsprop/iteration", 0.0), ("rmsprop/learning_rate", pytest.approx(0.003))]


@pytest.mark.parametrize("name", ["k2_mlp.h5", "k3_mlp.h5", "k3_mlp.keras"])
def test_files_saved_by_keras_give_their_step_count(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.models.load_model(os.path.join(FIXTURES, name))
    assert model.optimizer.iterations == 0
    assert [v.name for v in model.optimizer.variables] == ["iteration", "learning_rate"]


def test_keras_slots_are_not_guessed(tmp_path):
    """A Keras file's slots come in an order that depends on its Keras version: horn keeps the
    step count and says that the slots start from zero."""
    model = _model(keras.optimizers.Adam(0.01))
    _steps(model, 0, 3)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        f.attrs["keras_version"] = b"3.15.1"
    with pytest.warns(UserWarning, match="8 optimizer slot.*written by Keras.*step count is restored"):
        loaded = keras.models.load_model(path)
    assert loaded.optimizer.iterations == 3
    _steps(loaded, 3, 4)
    assert loaded.optimizer.iterations == 4


def test_slots_are_checked_again_when_training_starts(tmp_path):
    """A layer frozen between loading and training leaves the saved slots without a place."""
    model = _model(keras.optimizers.Adam(0.01))
    _steps(model, 0, 2)
    model.save(str(tmp_path / "m.keras"))
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    loaded.layers[0].trainable = False
    with pytest.warns(UserWarning, match=r"restored optimizer state does not fit this model \(8 slots for an "
                                         r"optimizer that keeps 4\)"):
        _steps(loaded, 2, 3)
    assert loaded.optimizer.iterations == 3
