"""Adadelta: its first steps equal a numpy transcription of Keras 3's update rule."""

import numpy as np
import pytest

import horn as keras

X = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 0.5], [0.0, -0.5, -1.5]],
             np.float32)
Y = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.5, 0.5], [2.0, -1.0]], np.float32)
W0 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], np.float32)
B0 = np.array([0.05, -0.05], np.float32)
STEPS = 4


def mse_grads(w, b):
    d = 2.0 * (X.astype(np.float64) @ w + b - Y) / Y.size
    return [X.T.astype(np.float64) @ d, d.sum(axis=0)]


def keras3_adadelta(lr, rho=0.95, epsilon=1e-7, steps=STEPS):
    """keras/src/optimizers/adadelta.py update_step, in float64: the rms of the accumulated
    gradient is taken after this step's update, that of the accumulated delta before it."""
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    acc_g = [np.zeros_like(p) for p in params]
    acc_d = [np.zeros_like(p) for p in params]
    history = []
    for _ in range(steps):
        grads = mse_grads(*params)
        for i, g in enumerate(grads):
            acc_g[i] = rho * acc_g[i] + (1 - rho) * g**2
            delta = -np.sqrt(acc_d[i] + epsilon) * g / np.sqrt(acc_g[i] + epsilon)
            acc_d[i] = rho * acc_d[i] + (1 - rho) * delta**2
            params[i] = params[i] + lr * delta
        history.append(([p.copy() for p in params], [a.copy() for a in acc_g], [d.copy() for d in acc_d]))
    return history


def train(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([W0, B0])
    model.compile(optimizer=optimizer, loss="mse")
    return model


@pytest.mark.parametrize("kwargs, lr", [
    ({"learning_rate": 1.0}, 1.0),
    ({"learning_rate": 0.5, "rho": 0.8}, 0.5),
    ({"learning_rate": 2.0, "epsilon": 1e-3}, 2.0),
], ids=["classic-lr1", "rho0.8", "eps1e-3"])
def test_steps_match_keras3(kwargs, lr):
    model = train(keras.optimizers.Adadelta(**kwargs))
    ref = {k: v for k, v in kwargs.items() if k in ("rho", "epsilon")}
    expected = keras3_adadelta(lr, **ref)
    for step, (params, _, _) in enumerate(expected, 1):
        model.train_on_batch(X, Y)
        for name, got, want, start in zip(("kernel", "bias"), model.get_weights(), params, (W0, B0)):
            # The change of the weights to 0.1% (Adadelta's first steps are ~sqrt(eps) * lr small).
            change = want - start
            np.testing.assert_allclose(got - start, change, rtol=1e-3, atol=1e-3 * np.abs(change).max(),
                                       err_msg=f"{name} after step {step}")
    assert np.abs(model.get_weights()[0] - W0).max() > 1e-4  # the steps really moved the weights


def read_slots(model):
    state = model._state
    return {name: state.sets.read(i) for i, name in enumerate(state.names) if name.startswith("slot_")}


def test_slots_are_the_two_accumulators():
    opt = keras.optimizers.Adadelta(learning_rate=1.0)
    assert opt.slot_names == ("accumulated_grad", "accumulated_delta_var")
    model = train(opt)
    for _ in range(2):
        model.train_on_batch(X, Y)
    _, acc_g, acc_d = keras3_adadelta(1.0, steps=2)[-1]
    slots = read_slots(model)
    for i, name in enumerate(("kernel", "bias")):
        np.testing.assert_allclose(slots[f"slot_{i}_accumulated_grad"], acc_g[i], rtol=1e-4, err_msg=name)
        np.testing.assert_allclose(slots[f"slot_{i}_accumulated_delta_var"], acc_d[i], rtol=1e-3,
                                   err_msg=name)


def test_default_is_keras3():
    """By name, Keras 3's defaults: a learning rate of 0.001 moves the weights 1000x less than
    1.0 (the slots, which don't depend on it at first, agree with the reference)."""
    opt = keras.optimizers.Adadelta()
    assert (opt.learning_rate, opt.rho, opt.epsilon) == (0.001, 0.95, 1e-7)
    model = train("adadelta")
    assert type(model.optimizer) is keras.optimizers.Adadelta
    model.train_on_batch(X, Y)
    (params, acc_g, acc_d), = keras3_adadelta(0.001, steps=1)
    # float32 weights resolve ~3e-8 near 0.5: the change (~3e-6) is checked to 2%.
    np.testing.assert_allclose(model.get_weights()[0] - W0, params[0] - W0, rtol=2e-2, atol=3e-8)
    slots = read_slots(model)
    np.testing.assert_allclose(slots["slot_0_accumulated_grad"], acc_g[0], rtol=1e-5)
    np.testing.assert_allclose(slots["slot_0_accumulated_delta_var"], acc_d[0], rtol=1e-3)


def test_keras2_lr_and_config_round_trip():
    opt = keras.optimizers.Adadelta(lr=1.0, rho=0.9)
    assert opt.learning_rate == 1.0
    config = keras.optimizers.serialize(opt)
    assert config["class_name"] == "Adadelta"
    again = keras.optimizers.get(config)
    assert (again.learning_rate, again.rho, again.epsilon) == (1.0, 0.9, 1e-7)


def test_bad_rho_raises():
    with pytest.raises(ValueError, match="rho"):
        keras.optimizers.Adadelta(rho=1.5)
