"""Optimizers: three train_on_batch steps on a linear model against numpy transcriptions of
Keras 3's update rules (gradients derived by hand), Keras 2 spellings (lr=, decay=), defaults,
clipping, errors, the iteration count and a learning rate changed between steps."""

import numpy as np
import pytest

import horn as keras

# A fixed problem: 5 samples, 3 features, 2 units. Loss = Keras mse = mean over units, then over
# the batch: L = sum((XW + b - Y)^2) / (N * U), so dL/dW = X^T D and dL/db = sum_n D with
# D = 2 (XW + b - Y) / (N * U).
X = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 0.5], [0.0, -0.5, -1.5]], np.float32)
Y = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.5, 0.5], [2.0, -1.0]], np.float32)
W0 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], np.float32)
B0 = np.array([0.05, -0.05], np.float32)
STEPS = 3


def mse_grads(params):
    w, b = params
    d = 2.0 * (X.astype(np.float64) @ w + b - Y) / (X.shape[0] * Y.shape[1])
    return [X.T.astype(np.float64) @ d, d.sum(axis=0)]


# -- numpy transcriptions of Keras's update rules (one parameter, float64) ----------------------
class RefSGD:
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.momentum, self.nesterov = momentum, nesterov

    def init(self, p):
        return {"m": np.zeros_like(p)}

    def step(self, p, g, s, lr, t):
        if not self.momentum:
            return p - lr * g
        s["m"] = self.momentum * s["m"] - lr * g
        return p + self.momentum * s["m"] - lr * g if self.nesterov else p + s["m"]


class RefRMSprop:
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def init(self, p):
        return {"v": np.zeros_like(p), "mom": np.zeros_like(p), "mg": np.zeros_like(p)}

    def step(self, p, g, s, lr, t):
        s["v"] = self.rho * s["v"] + (1 - self.rho) * g**2
        if self.centered:
            s["mg"] = self.rho * s["mg"] + (1 - self.rho) * g
            denominator = s["v"] - s["mg"] ** 2 + self.epsilon
        else:
            denominator = s["v"] + self.epsilon
        increment = lr * g / np.sqrt(denominator)
        if self.momentum > 0:
            s["mom"] = self.momentum * s["mom"] + increment
            return p - s["mom"]
        return p - increment


class RefAdam:
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
        self.b1, self.b2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def init(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p), "vhat": np.zeros_like(p)}

    def step(self, p, g, s, lr, t):
        local_step = t + 1
        # The bias corrections raise the float32 betas, as Keras does (1 - 0.999 differs from
        # 1 - float32(0.999) in the 5th digit).
        b1, b2 = float(np.float32(self.b1)), float(np.float32(self.b2))
        alpha = lr * np.sqrt(1 - b2**local_step) / (1 - b1**local_step)
        s["m"] = s["m"] + (g - s["m"]) * (1 - self.b1)
        s["v"] = s["v"] + (g**2 - s["v"]) * (1 - self.b2)
        v = s["v"]
        if self.amsgrad:
            s["vhat"] = np.maximum(s["vhat"], s["v"])
            v = s["vhat"]
        return p - alpha * s["m"] / (np.sqrt(v) + self.epsilon)


class RefAdagrad:
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
        self.initial, self.epsilon = initial_accumulator_value, epsilon

    def init(self, p):
        return {"a": np.full_like(p, self.initial)}

    def step(self, p, g, s, lr, t):
        s["a"] = s["a"] + g**2
        return p - lr * g / np.sqrt(s["a"] + self.epsilon)


def clip_keras3(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    """Keras 3's BaseOptimizer._clip_gradients: clipnorm, else global_clipnorm, else clipvalue."""
    if clipnorm:
        return [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in grads]
    if global_clipnorm:
        norm = np.sqrt(sum(np.sum(g**2) for g in grads))
        return [g * global_clipnorm / max(norm, global_clipnorm) for g in grads]
    if clipvalue:
        return [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def reference_run(ref, lrs, decay=0.0, clip=None):
    """The parameters after each step; lrs[t] is the learning rate fed at step t."""
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    states = [ref.init(p) for p in params]
    history = []
    for t, lr in enumerate(lrs):
        grads = clip_keras3(mse_grads(params), **(clip or {}))
        lr_t = lr / (1.0 + decay * t)
        params = [ref.step(p, g, s, lr_t, t) for p, g, s in zip(params, grads, states)]
        history.append([p.copy() for p in params])
    return history


# -- the model under test ------------------------------------------------------------------------
def linear_model(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, use_bias=True)])
    model.set_weights([W0, B0])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def assert_params(model, expected, step):
    got = model.get_weights()
    for name, g, e, start in zip(("kernel", "bias"), got, expected, (W0, B0)):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6, err_msg=f"{name} after step {step}")
        # The change itself (much smaller than the weights), to 0.1% of its largest component.
        change = e - start
        np.testing.assert_allclose(
            g - start, change, rtol=1e-3, atol=1e-3 * np.abs(change).max(), err_msg=f"{name} change after step {step}"
        )


def run_and_check(optimizer, ref, lr, decay=0.0, clip=None):
    model = linear_model(optimizer)
    expected = reference_run(ref, [lr] * STEPS, decay=decay, clip=clip)
    for step in range(STEPS):
        model.train_on_batch(X, Y)
        assert_params(model, expected[step], step + 1)
    # The steps really moved the weights (so the comparisons above could fail).
    assert np.abs(model.get_weights()[0] - W0).max() > 1e-4
    return model


UPDATE_CASES = [
    ("sgd", lambda: keras.optimizers.SGD(learning_rate=0.1), RefSGD(), 0.1),
    ("sgd_momentum", lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9), RefSGD(momentum=0.9), 0.1),
    (
        "sgd_nesterov",
        lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
        RefSGD(momentum=0.9, nesterov=True),
        0.1,
    ),
    ("rmsprop", lambda: keras.optimizers.RMSprop(learning_rate=0.01, rho=0.8), RefRMSprop(rho=0.8), 0.01),
    (
        "rmsprop_centered",
        lambda: keras.optimizers.RMSprop(learning_rate=0.01, centered=True),
        RefRMSprop(centered=True),
        0.01,
    ),
    (
        "rmsprop_momentum",
        lambda: keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.5),
        RefRMSprop(momentum=0.5),
        0.01,
    ),
    (
        "rmsprop_centered_momentum",
        lambda: keras.optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
        RefRMSprop(momentum=0.5, centered=True),
        0.01,
    ),
    (
        "adam",
        lambda: keras.optimizers.Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99),
        RefAdam(beta_1=0.8, beta_2=0.99),
        0.01,
    ),
    ("adam_amsgrad", lambda: keras.optimizers.Adam(learning_rate=0.01, amsgrad=True), RefAdam(amsgrad=True), 0.01),
    # beta_2 = 0.5 lets the second moment fall within 3 steps, where AMSGrad's max() matters.
    (
        "adam_amsgrad_falling_v",
        lambda: keras.optimizers.Adam(learning_rate=0.05, beta_2=0.5, amsgrad=True),
        RefAdam(beta_2=0.5, amsgrad=True),
        0.05,
    ),
    ("adagrad", lambda: keras.optimizers.Adagrad(learning_rate=0.1), RefAdagrad(), 0.1),
    (
        "adagrad_accumulator",
        lambda: keras.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.5),
        RefAdagrad(initial_accumulator_value=0.5),
        0.1,
    ),
]


@pytest.mark.parametrize("make, ref, lr", [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES])
def test_update_rule_matches_keras(make, ref, lr):
    run_and_check(make(), ref, lr)


def test_amsgrad_case_differs_from_adam():
    amsgrad = reference_run(RefAdam(beta_2=0.5, amsgrad=True), [0.05] * STEPS)[-1]
    adam = reference_run(RefAdam(beta_2=0.5), [0.05] * STEPS)[-1]
    assert np.abs(amsgrad[0] - adam[0]).max() > 1e-2


# By name: Keras 3's defaults (SGD 0.01; RMSprop 0.001, rho 0.9, eps 1e-7; Adam 0.001, 0.9, 0.999,
# 1e-7; Adagrad 0.001 with accumulators starting at 0.1).
NAME_CASES = [
    ("sgd", RefSGD(), 0.01),
    ("rmsprop", RefRMSprop(), 0.001),
    ("adam", RefAdam(), 0.001),
    ("adagrad", RefAdagrad(), 0.001),
]


@pytest.mark.parametrize("name, ref, lr", NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_by_name_uses_keras_defaults(name, ref, lr):
    run_and_check(name, ref, lr)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("sgd", "SGD"),
        ("rmsprop", "RMSprop"),
        ("adam", "Adam"),
        ("adagrad", "Adagrad"),
        ("Adam", "Adam"),
        ("RMSprop", "RMSprop"),
    ],
)
def test_get_by_name(name, cls):
    assert type(keras.optimizers.get(name)) is getattr(keras.optimizers, cls)


def test_default_hyperparameters():
    sgd = keras.optimizers.SGD()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    rms = keras.optimizers.RMSprop()
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == (0.001, 0.9, 0.0, 1e-7, False)
    adam = keras.optimizers.Adam()
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == (
        0.001,
        0.9,
        0.999,
        1e-7,
        False,
    )
    ada = keras.optimizers.Adagrad()
    assert (ada.learning_rate, ada.initial_accumulator_value, ada.epsilon) == (0.001, 0.1, 1e-7)


# -- Keras 2 spellings -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, ref",
    [("SGD", RefSGD(momentum=0.5)), ("RMSprop", RefRMSprop()), ("Adam", RefAdam()), ("Adagrad", RefAdagrad())],
)
def test_lr_is_learning_rate(cls, ref):
    extra = {"momentum": 0.5} if cls == "SGD" else {}
    opt_cls = getattr(keras.optimizers, cls)
    by_lr = run_and_check(opt_cls(lr=0.05, **extra), ref, 0.05)
    by_learning_rate = run_and_check(opt_cls(learning_rate=0.05, **extra), ref, 0.05)
    assert by_lr.optimizer.learning_rate == 0.05
    for a, b in zip(by_lr.get_weights(), by_learning_rate.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "make, ref, lr",
    [
        (lambda: keras.optimizers.SGD(learning_rate=0.2, decay=0.5), RefSGD(), 0.2),
        (lambda: keras.optimizers.SGD(lr=0.2, momentum=0.9, decay=1.0), RefSGD(momentum=0.9), 0.2),
        (lambda: keras.optimizers.Adam(learning_rate=0.05, decay=0.5), RefAdam(), 0.05),
        (lambda: keras.optimizers.RMSprop(learning_rate=0.01, decay=2.0), RefRMSprop(), 0.01),
    ],
    ids=["sgd", "sgd_momentum_lr", "adam", "rmsprop"],
)
def test_decay_is_time_based(make, ref, lr):
    """Keras 2's decay: the step t (0-based) uses lr / (1 + decay * t)."""
    model = run_and_check(make(), ref, lr, decay=make().decay)
    # Without the decay the weights would be elsewhere: the decay really acted.
    undecayed = reference_run(ref, [lr] * STEPS)[-1]
    assert np.abs(model.get_weights()[0] - undecayed[0]).max() > 1e-4


def test_lr_and_learning_rate_together_raise():
    with pytest.raises(ValueError, match="learning_rate"):
        keras.optimizers.SGD(lr=0.1, learning_rate=0.1)
    with pytest.raises(ValueError):
        keras.optimizers.Adam(lr=0.1, learning_rate=0.2)


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        keras.optimizers.get("rmsporp")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        model.compile(optimizer="rmsporp", loss="mse")


# -- clipping ------------------------------------------------------------------------------------
CLIP_CASES = [
    ("clipnorm", {"clipnorm": 0.3}),
    ("global_clipnorm", {"global_clipnorm": 0.5}),
    ("clipvalue", {"clipvalue": 0.2}),
    ("clipnorm_over_clipvalue", {"clipnorm": 0.3, "clipvalue": 0.05}),  # Keras 3 applies clipnorm only
]


def test_clip_thresholds_are_active():
    """At the start, each threshold below clips, and per-tensor clipnorm scales kernel and bias
    differently from global_clipnorm; clipvalue cuts some entries and leaves others."""
    gw, gb = mse_grads([W0.astype(np.float64), B0.astype(np.float64)])
    assert np.linalg.norm(gw) > 0.3 and np.linalg.norm(gb) > 0.3
    assert abs(np.linalg.norm(gw) - np.linalg.norm(gb)) > 0.03
    assert np.sqrt(np.sum(gw**2) + np.sum(gb**2)) > 0.5
    assert (np.abs(gw) > 0.2).any() and (np.abs(gw) < 0.2).any() and (np.abs(gb) > 0.2).any()


@pytest.mark.parametrize("clip", [c[1] for c in CLIP_CASES], ids=[c[0] for c in CLIP_CASES])
@pytest.mark.parametrize(
    "cls, ref, lr", [("SGD", RefSGD(momentum=0.5), 0.1), ("Adam", RefAdam(), 0.01)], ids=["sgd", "adam"]
)
def test_clipping(clip, cls, ref, lr):
    extra = {"momentum": 0.5} if cls == "SGD" else {}
    run_and_check(getattr(keras.optimizers, cls)(learning_rate=lr, **extra, **clip), ref, lr, clip=clip)
    if cls == "SGD":  # for SGD the clipped and unclipped runs differ
        clipped = reference_run(ref, [lr] * STEPS, clip=clip)[-1]
        plain = reference_run(ref, [lr] * STEPS)[-1]
        assert np.abs(clipped[0] - plain[0]).max() > 1e-3


@pytest.mark.parametrize(
    "clip",
    [{"clipnorm": 0.0}, {"clipvalue": 0.0}, {"global_clipnorm": 0.0}],
    ids=["clipnorm", "clipvalue", "global_clipnorm"],
)
def test_zero_clip_threshold_means_no_clipping(clip):
    """As in Keras (2 and 3), a threshold of 0 turns clipping off rather than zeroing the gradients."""
    run_and_check(keras.optimizers.SGD(learning_rate=0.1, **clip), RefSGD(), 0.1)


def test_clipnorm_and_global_clipnorm_together_raise():
    with pytest.raises(ValueError):
        keras.optimizers.SGD(clipnorm=1.0, global_clipnorm=1.0)


# -- iterations and the learning rate as a program input -----------------------------------------
def test_iterations_counts_steps():
    opt = keras.optimizers.Adam(learning_rate=0.01)
    model = linear_model(opt)
    assert int(opt.iterations) == 0
    for step in range(1, STEPS + 1):
        model.train_on_batch(X, Y)
        assert int(opt.iterations) == step
    model.fit(X, Y, batch_size=2, epochs=2, shuffle=False, verbose=0)  # 3 batches per epoch
    assert int(opt.iterations) == STEPS + 6


@pytest.mark.parametrize("attribute", ["learning_rate", "lr"])
def test_changing_learning_rate_between_steps(attribute):
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.5)
    model = linear_model(opt)
    lrs = [0.1, 0.01, 0.3]
    expected = reference_run(RefSGD(momentum=0.5), lrs)
    programs = []
    for step, lr in enumerate(lrs):
        setattr(opt, attribute, lr)
        model.train_on_batch(X, Y)
        assert_params(model, expected[step], step + 1)
        programs.append(list(model._train_programs.values()))
    assert opt.learning_rate == 0.3
    # One training program served all three steps: the learning rate is an input, not a constant.
    assert all(len(p) == 1 and p[0] is programs[0][0] for p in programs)
    # And the steps really differed: the same run at a constant 0.1 ends elsewhere.
    constant = reference_run(RefSGD(momentum=0.5), [0.1] * STEPS)[-1]
    assert np.abs(model.get_weights()[0] - constant[0]).max() > 1e-3


def test_learning_rate_change_applies_in_fit():
    opt = keras.optimizers.SGD(learning_rate=0.1)
    model = linear_model(opt)
    model.fit(X, Y, batch_size=5, epochs=1, shuffle=False, verbose=0)
    opt.learning_rate = 0.02
    model.fit(X, Y, batch_size=5, epochs=1, shuffle=False, verbose=0)
    expected = reference_run(RefSGD(), [0.1, 0.02])
    assert_params(model, expected[-1], 2)


# -- weight decay (Keras 3: p -= p * weight_decay * lr before the update) ------------------------
class RefDecayed:
    """Keras 3's _apply_weight_decay, then the inner rule; biases (1-D) spared if asked."""

    def __init__(self, inner, weight_decay, spare_bias=False):
        self.inner, self.weight_decay, self.spare_bias = inner, weight_decay, spare_bias

    def init(self, p):
        return self.inner.init(p)

    def step(self, p, g, s, lr, t):
        if not (self.spare_bias and p.ndim == 1):
            p = p - p * self.weight_decay * lr
        return self.inner.step(p, g, s, lr, t)


WEIGHT_DECAY_CASES = [
    ("sgd", lambda: keras.optimizers.SGD(learning_rate=0.1, weight_decay=0.5), RefDecayed(RefSGD(), 0.5), 0.1),
    ("adamw", lambda: keras.optimizers.AdamW(learning_rate=0.05, weight_decay=0.3),
     RefDecayed(RefAdam(), 0.3), 0.05),
    ("adamw_by_name", lambda: "adamw", RefDecayed(RefAdam(), 0.004), 0.001),
    ("rmsprop", lambda: keras.optimizers.RMSprop(learning_rate=0.01, weight_decay=0.2),
     RefDecayed(RefRMSprop(), 0.2), 0.01),
]


@pytest.mark.parametrize("make, ref, lr", [c[1:] for c in WEIGHT_DECAY_CASES], ids=[c[0] for c in WEIGHT_DECAY_CASES])
def test_weight_decay_matches_keras(make, ref, lr):
    run_and_check(make(), ref, lr)


def test_exclude_from_weight_decay_by_name_and_by_variable():
    for exclude in ({"var_names": ["bias"]}, "variable"):
        optimizer = keras.optimizers.AdamW(learning_rate=0.05, weight_decay=0.3)
        model = linear_model(optimizer)
        bias = model.layers[0].bias
        optimizer.exclude_from_weight_decay(**exclude) if isinstance(exclude, dict) else \
            optimizer.exclude_from_weight_decay(var_list=[bias])
        expected = reference_run(RefDecayed(RefAdam(), 0.3, spare_bias=True), [0.05] * STEPS)
        for step in range(STEPS):
            model.train_on_batch(X, Y)
            assert_params(model, expected[step], step + 1)


def test_weight_decay_config_and_errors():
    opt = keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1)
    config = opt.get_config()
    assert config["weight_decay"] == 0.1
    again = keras.optimizers.get({"class_name": "AdamW", "config": config})
    assert isinstance(again, keras.optimizers.AdamW) and again.weight_decay == 0.1
    assert keras.optimizers.get("adamw").weight_decay == 0.004
    with pytest.raises(ValueError, match=r"AdamW\(weight_decay=...\) must be a float, got None"):
        keras.optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match=r"SGD\(weight_decay=...\) must be a non-negative float, got -1"):
        keras.optimizers.SGD(weight_decay=-1)


# -- moving averages of the weights (Keras 3's use_ema) --------------------------------------------
def ema_reference(lr, momentum, steps, overwrite=None):
    """Keras 3: after each SGD update avg = m * avg + (1 - m) * p with m = 0 on the first step;
    every `overwrite` steps p = avg; at the end of fit the weights take the averages."""
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    averages = [p.copy() for p in params]
    for t in range(steps):
        params = [p - lr * g for p, g in zip(params, mse_grads(params))]
        m = 0.0 if t == 0 else momentum
        averages = [m * a + (1 - m) * p for a, p in zip(averages, params)]
        if overwrite and (t + 1) % overwrite == 0:
            params = [a.copy() for a in averages]
    return params, averages


@pytest.mark.parametrize("overwrite", [None, 2])
def test_use_ema_keeps_moving_averages_and_fit_ends_on_them(overwrite):
    lr, momentum = 0.1, 0.6
    optimizer = keras.optimizers.SGD(learning_rate=lr, use_ema=True, ema_momentum=momentum,
                                     ema_overwrite_frequency=overwrite)
    model = linear_model(optimizer)
    for step in range(1, STEPS + 1):
        model.train_on_batch(X, Y)
        params, averages = ema_reference(lr, momentum, step, overwrite)
        for got, want in zip(model.get_weights(), params):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"weights after step {step}")
        for var, want in zip(model.trainable_weights, averages):
            np.testing.assert_allclose(optimizer._state.read_slot(var, "average"), want, rtol=1e-5, atol=1e-6)
    model = linear_model(keras.optimizers.SGD(learning_rate=lr, use_ema=True, ema_momentum=momentum,
                                              ema_overwrite_frequency=overwrite))
    model.fit(X, Y, batch_size=5, epochs=STEPS, shuffle=False, verbose=0)
    for got, want in zip(model.get_weights(), ema_reference(lr, momentum, STEPS, overwrite)[1]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg="weights after fit")


def test_ema_config_and_errors():
    opt = keras.optimizers.Adam(use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=10)
    again = keras.optimizers.get({"class_name": "Adam", "config": opt.get_config()})
    assert (again.use_ema, again.ema_momentum, again.ema_overwrite_frequency) == (True, 0.9, 10)
    with pytest.raises(ValueError, match=r"Adam\(ema_momentum=...\) must be in \[0, 1\], got 2"):
        keras.optimizers.Adam(use_ema=True, ema_momentum=2)
    with pytest.raises(ValueError, match=r"SGD\(ema_overwrite_frequency=...\) must be None or a positive int"):
        keras.optimizers.SGD(use_ema=True, ema_overwrite_frequency=0)
