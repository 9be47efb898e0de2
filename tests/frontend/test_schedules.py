"""Learning-rate schedules: each against a numpy transcription of Keras 3's formula and against
values printed by real Keras 3.15.1, configs and (de)serialization, errors, and a schedule
driving fit(): the rate used at step k is the schedule's value at the optimizer's step count k,
also after save/load and after the step count is assigned."""

import math
import warnings

import numpy as np
import pytest
from horn.optimizers.schedules import CosineDecay  # the module path works too

import horn as keras

S = keras.optimizers.schedules
STEPS = [0, 1, 2, 3, 5, 6, 7, 10, 14, 15, 16, 20, 21, 29, 30, 31, 35, 45, 49, 50, 51, 60, 99, 100, 101, 500, 1000]


# -- numpy transcriptions of Keras 3's formulas ----------------------------------------------------
def ref_exponential(s, initial, decay_steps, rate, staircase=False):
    p = s / decay_steps
    return initial * rate ** (np.floor(p) if staircase else p)


def ref_inverse_time(s, initial, decay_steps, rate, staircase=False):
    p = s / decay_steps
    return initial / (1 + rate * (np.floor(p) if staircase else p))


def ref_piecewise(s, boundaries, values):
    out = values[0] * (s <= boundaries[0]) + values[-1] * (s > boundaries[-1])
    for low, high, v in zip(boundaries[:-1], boundaries[1:], values[1:-1]):
        out += v * ((s > low) & (s <= high))
    return out


def ref_polynomial(s, initial, decay_steps, end=0.0001, power=1.0, cycle=False):
    if cycle:
        decay_steps = decay_steps * np.where(s == 0, 1.0, np.ceil(s / decay_steps))
    else:
        s = np.minimum(s, decay_steps)
    return (initial - end) * (1 - s / decay_steps) ** power + end


def ref_cosine(s, initial, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0):
    def decay(s, start):
        return start * ((1 - alpha) * 0.5 * (1 + np.cos(np.pi * s / decay_steps)) + alpha)
    if warmup_target is None:
        return decay(np.minimum(s, decay_steps), initial)
    s = np.minimum(s, decay_steps + warmup_steps)
    warm = (warmup_target - initial) * s / warmup_steps + initial
    return np.where(s < warmup_steps, warm, decay(s - warmup_steps, warmup_target))


def ref_restarts(s, initial, first, t_mul=2.0, m_mul=1.0, alpha=0.0):
    f = s / first
    if t_mul == 1.0:
        i = np.floor(f)
        f = f - i
    else:
        i = np.floor(np.log(1 - f * (1 - t_mul)) / np.log(t_mul))
        f = (f - (1 - t_mul**i) / (1 - t_mul)) / t_mul**i
    return initial * ((1 - alpha) * 0.5 * m_mul**i * (1 + np.cos(np.pi * f)) + alpha)


CASES = {  # name: (class, kwargs, reference)
    "exp": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.8},
            lambda s: ref_exponential(s, 0.1, 7, 0.8)),
    "exp_stair": ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.8,
                                       "staircase": True}, lambda s: ref_exponential(s, 0.1, 7, 0.8, True)),
    "inv": ("InverseTimeDecay", {"initial_learning_rate": 0.5, "decay_steps": 3, "decay_rate": 0.7},
            lambda s: ref_inverse_time(s, 0.5, 3, 0.7)),
    "inv_stair": ("InverseTimeDecay", {"initial_learning_rate": 0.5, "decay_steps": 3, "decay_rate": 0.7,
                                       "staircase": True}, lambda s: ref_inverse_time(s, 0.5, 3, 0.7, True)),
    "piecewise": ("PiecewiseConstantDecay", {"boundaries": [5, 20, 100], "values": [1.0, 0.5, 0.1, 0.01]},
                  lambda s: ref_piecewise(s, [5, 20, 100], [1.0, 0.5, 0.1, 0.01])),
    "poly": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 50},
             lambda s: ref_polynomial(s, 0.1, 50)),
    "poly_args": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.01,
                                      "power": 0.5}, lambda s: ref_polynomial(s, 0.1, 30, 0.01, 0.5)),
    "poly_cycle": ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.01,
                                       "power": 2.0, "cycle": True},
                   lambda s: ref_polynomial(s, 0.1, 30, 0.01, 2.0, True)),
    "cos": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40}, lambda s: ref_cosine(s, 0.1, 40)),
    "cos_alpha": ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 40, "alpha": 0.1},
                  lambda s: ref_cosine(s, 0.1, 40, 0.1)),
    "cos_warmup": ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 40, "alpha": 0.05,
                                   "warmup_target": 0.2, "warmup_steps": 10},
                   lambda s: ref_cosine(s, 0.0, 40, 0.05, 0.2, 10)),
    "cos_warmup_from": ("CosineDecay", {"initial_learning_rate": 0.01, "decay_steps": 30, "warmup_target": 0.1,
                                        "warmup_steps": 6}, lambda s: ref_cosine(s, 0.01, 30, 0.0, 0.1, 6)),
    "restarts": ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10},
                 lambda s: ref_restarts(s, 0.1, 10)),
    "restarts_args": ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 8, "t_mul": 1.0,
                                              "m_mul": 0.5, "alpha": 0.1},
                      lambda s: ref_restarts(s, 0.1, 8, 1.0, 0.5, 0.1)),
    "restarts_tmul3": ("CosineDecayRestarts", {"initial_learning_rate": 0.2, "first_decay_steps": 5, "t_mul": 3.0,
                                               "m_mul": 0.8}, lambda s: ref_restarts(s, 0.2, 5, 3.0, 0.8)),
}


def make(name):
    cls, kwargs, _ = CASES[name]
    return getattr(S, cls)(**kwargs)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras_formula(name):
    schedule, ref = make(name), CASES[name][2]
    steps = np.array(STEPS, np.float64)
    got = np.array([schedule(s) for s in STEPS])
    np.testing.assert_allclose(got, ref(steps), rtol=1e-12, atol=1e-15)
    assert len(set(np.round(got, 12))) > 2  # the schedule really changes over these steps
    # numpy integers and 0-d arrays are steps too
    assert schedule(np.int64(7)) == schedule(np.array(7)) == schedule(7)


# Printed by real Keras 3.15.1 (jax backend, float32) at the steps in STEPS.
KERAS_3_15_1 = {
    "exp": [0.10000000149011612, 0.09686250984668732, 0.09382345527410507, 0.09087976068258286, 0.08526652306318283,
            0.08259129524230957, 0.08000000566244125, 0.07270380109548569, 0.06400000303983688, 0.06199200823903084,
            0.06004701182246208, 0.05285843089222908, 0.05120000243186951, 0.03967488929629326, 0.03843009099364281,
            0.03722435235977173, 0.03276800364255905, 0.023823585361242294, 0.020971521735191345,
            0.02031354419887066, 0.0196762066334486, 0.014768719673156738, 0.004260058980435133,
            0.004126400221139193, 0.003996934276074171, 1.1963450674556952e-08, 1.43124162949184e-15],
    "inv_stair": [0.5, 0.5, 0.5, 0.29411762952804565, 0.29411762952804565, 0.2083333283662796, 0.2083333283662796,
                  0.16129033267498016, 0.1315789520740509, 0.1111111119389534, 0.1111111119389534,
                  0.09615384787321091, 0.08474576473236084, 0.06849315017461777, 0.0625, 0.0625,
                  0.05747126415371895, 0.043478261679410934, 0.04098360612988472, 0.04098360612988472,
                  0.03875968977808952, 0.03333333507180214, 0.020746886730194092, 0.020746886730194092,
                  0.020746886730194092, 0.00426621176302433, 0.002135839546099305],
    "piecewise": [1.0] * 5 + [0.5] * 7 + [0.10000000149011612] * 12 + [0.009999999776482582] * 3,
    "poly_cycle": [0.10000000149011612, 0.0940999910235405, 0.08839999884366989, 0.08289999514818192,
                   0.07249999791383743, 0.06760000437498093, 0.06289999932050705, 0.04999999701976776,
                   0.035599999129772186, 0.032499998807907104, 0.029599998146295547, 0.019999999552965164,
                   0.01810000091791153, 0.010099999606609344, 0.009999999776482582, 0.031025001779198647,
                   0.02562500163912773, 0.015625, 0.013024999760091305, 0.012500000186264515, 0.012024999596178532,
                   0.009999999776482582, 0.01275625079870224, 0.012500000186264515, 0.012256250716745853,
                   0.010034602135419846, 0.010034602135419846],
    "cos_warmup": [0.0, 0.020000001415610313, 0.04000000283122063, 0.06000000238418579, 0.10000000149011612,
                   0.12000000476837158, 0.14000000059604645, 0.20000000298023224, 0.19535036385059357,
                   0.19276855885982513, 0.18964561820030212, 0.17217515408992767, 0.16669756174087524,
                   0.11245360225439072, 0.10499999672174454, 0.09754639118909836, 0.06864506751298904,
                   0.01723143644630909, 0.01029285043478012] + [0.010000000707805157] * 8,
    "restarts": [0.10000000149011612, 0.0975528284907341, 0.09045084565877914, 0.07938926666975021,
                 0.04999999701976776, 0.03454914316534996, 0.020610740408301353, 0.10000000149011612,
                 0.09045084565877914, 0.08535534143447876, 0.07938926666975021, 0.04999999701976776,
                 0.042178284376859665, 0.0006155818700790405, 0.10000000149011612, 0.09984587132930756,
                 0.09619397670030594, 0.0691341683268547, 0.053922951221466064, 0.04999999701976776,
                 0.046077050268650055, 0.014644661918282509, 0.07093299925327301, 0.0691341683268547,
                 0.06730584800243378, 0.03548576310276985, 0.037850990891456604],
    "restarts_tmul3": [0.20000000298023224, 0.1809016913175583, 0.13090169429779053, 0.06909828633069992,
                       0.1600000113248825, 0.1582518070936203, 0.1530836522579193, 0.12000000476837158,
                       0.055278629064559937, 0.03999999538064003, 0.026469547301530838, 0.12800000607967377,
                       0.12784411013126373, 0.11577709019184113, 0.11302684992551804, 0.11003775894641876,
                       0.09600000828504562, 0.052886512130498886, 0.03594423830509186, 0.03200000151991844,
                       0.02821165882050991, 0.0038596689701080322, 0.08719263225793839, 0.08633557707071304,
                       0.08545949310064316, 0.012851540930569172, 0.04988020658493042],
}


@pytest.mark.parametrize("name", sorted(KERAS_3_15_1))
def test_matches_values_printed_by_keras(name):
    got = np.array([make(name)(s) for s in STEPS], np.float32)
    # Keras computes in float32, horn in float64 rounded once: within a few float32 ulps
    np.testing.assert_allclose(got, np.float32(KERAS_3_15_1[name]), rtol=4e-6, atol=1e-12)


# -- configs, (de)serialization, errors -------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(CASES))
def test_config_round_trip_and_serialize(name):
    schedule = make(name)
    config = schedule.get_config()
    assert config == {**CASES[name][1], **{k: v for k, v in config.items() if k not in CASES[name][1]}}
    assert type(schedule).from_config(config).get_config() == config
    serialized = S.serialize(schedule)
    assert serialized == {"module": "keras.optimizers.schedules", "class_name": CASES[name][0], "config": config,
                          "registered_name": None}
    again = S.deserialize(serialized)
    assert type(again) is type(schedule) and again(37) == schedule(37)
    keras2 = S.deserialize({"class_name": CASES[name][0], "config": config})  # tf.keras 2's form
    assert keras2.get_config() == config


def test_keras_default_names():
    names = {cls: getattr(S, cls)(0.1, 10, **({"decay_rate": 0.5} if "Time" in cls or "Exp" in cls else {})).name
             for cls in ("ExponentialDecay", "InverseTimeDecay", "PolynomialDecay", "CosineDecay",
                         "CosineDecayRestarts")}
    assert names == {"ExponentialDecay": "ExponentialDecay", "InverseTimeDecay": "InverseTimeDecay",
                     "PolynomialDecay": "PolynomialDecay", "CosineDecay": "CosineDecay",
                     "CosineDecayRestarts": "SGDRDecay"}
    assert S.PiecewiseConstantDecay([1], [1.0, 0.5]).name == "PiecewiseConstant"
    assert S.PolynomialDecay(0.1, 10).end_learning_rate == 0.0001


@pytest.mark.parametrize("build, message", [
    (lambda: S.ExponentialDecay(0.1, 0, 0.5), r"ExponentialDecay\(decay_steps=\.\.\.\) must be > 0, got decay_steps=0"),
    (lambda: S.InverseTimeDecay(0.1, -2, 0.5), r"decay_steps=-2"),
    (lambda: S.PolynomialDecay(0.1, 0), r"PolynomialDecay\(decay_steps=.*decay_steps=0"),
    (lambda: S.CosineDecay(0.1, 0), r"CosineDecay\(decay_steps=.*decay_steps=0"),
    (lambda: S.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1), r"warmup_steps=-1"),
    (lambda: S.CosineDecayRestarts(0.1, 0), r"first_decay_steps=0"),
    (lambda: S.PiecewiseConstantDecay([1, 2], [1.0, 0.5]), r"boundaries.*one element fewer than values.*length 2"),
    (lambda: S.PiecewiseConstantDecay([5, 2], [1.0, 0.5, 0.1]), r"boundaries=\.\.\.\) must be strictly increasing"),
], ids=["exp", "inverse", "poly", "cosine", "warmup", "restarts", "piecewise_lengths", "piecewise_order"])
def test_bad_arguments_name_the_argument(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_deserialize_unknown_suggests_the_closest():
    with pytest.raises(ValueError, match="Did you mean 'CosineDecay'"):
        S.deserialize({"class_name": "CosineDecy", "config": {}})


def test_base_class_needs_call():
    with pytest.raises(NotImplementedError, match="__call__"):
        S.LearningRateSchedule()(3)


# -- a schedule driving training ---------------------------------------------------------------------
X = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 0.5], [0.0, -0.5, -1.5]], np.float32)
Y = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.5, 0.5], [2.0, -1.0]], np.float32)
W0 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], np.float32)
B0 = np.array([0.05, -0.05], np.float32)


def sgd_reference(lrs, momentum=0.0):
    """Keras's SGD on the Keras mse of a Dense(2) over X, Y: the weights after each step."""
    w, b = W0.astype(np.float64), B0.astype(np.float64)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    out = []
    for lr in lrs:
        d = 2.0 * (X @ w + b - Y) / Y.size
        vw, vb = momentum * vw - lr * (X.T @ d), momentum * vb - lr * d.sum(axis=0)
        w, b = w + vw, b + vb
        out.append((w, b))
    return out


def linear_model(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([W0, B0])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def test_schedule_through_fit_uses_its_value_at_each_step():
    schedule = S.PiecewiseConstantDecay([1, 3], [0.3, 0.1, 0.02])
    model = linear_model(keras.optimizers.SGD(learning_rate=schedule))
    model.fit(X, Y, batch_size=5, epochs=5, shuffle=False, verbose=0)  # one step per epoch
    lrs = [schedule(k) for k in range(5)]
    assert lrs == [0.3, 0.3, 0.1, 0.1, 0.02]
    w, b = sgd_reference(lrs)[-1]
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-5, atol=1e-6)
    constant = sgd_reference([0.3] * 5)[-1][0]  # the comparison above can fail
    assert np.abs(constant - w).max() > 1e-2


def test_each_step_change_is_the_schedules_rate_times_the_gradient():
    schedule = S.ExponentialDecay(0.2, decay_steps=1, decay_rate=0.5)
    model = linear_model(keras.optimizers.SGD(learning_rate=schedule))
    w = W0.astype(np.float64)
    b = B0.astype(np.float64)
    for k in range(4):
        d = 2.0 * (X @ w + b - Y) / Y.size
        model.train_on_batch(X, Y)
        new_w = model.get_weights()[0]
        ratio = (w - new_w) / (X.T @ d)  # the learning rate the step used, entry by entry
        np.testing.assert_allclose(ratio, 0.2 * 0.5**k, rtol=1e-4)
        w, b = new_w.astype(np.float64), model.get_weights()[1].astype(np.float64)
    assert model.optimizer.iterations == 4


def test_sgd_with_momentum_and_schedule_matches_keras():
    """Printed by real Keras 3.15.1: SGD(ExponentialDecay(0.1, 2, 0.5), momentum=0.5), 5 train_on_batch steps."""
    model = linear_model(keras.optimizers.SGD(learning_rate=S.ExponentialDecay(0.1, 2, 0.5), momentum=0.5))
    for _ in range(5):
        model.train_on_batch(X, Y)
    kernel = [[0.20658306777477264, -0.25500765442848206], [0.10235115140676498, 0.4016406238079071],
              [-0.49558112025260925, 0.7381466031074524]]
    bias = [0.22813932597637177, 0.12736307084560394]
    np.testing.assert_allclose(model.get_weights()[0], np.float32(kernel), rtol=0, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], np.float32(bias), rtol=0, atol=1e-6)


def test_assigned_step_count_moves_the_schedule():
    schedule = S.PiecewiseConstantDecay([2], [0.5, 0.01])
    model = linear_model(keras.optimizers.SGD(learning_rate=schedule))
    model.train_on_batch(X, Y)  # step 0: 0.5
    before = model.get_weights()[0]
    model.optimizer.variables[0].assign(10)  # Keras's optimizer.iterations.assign(10)
    d = 2.0 * (X @ before.astype(np.float64) + model.get_weights()[1] - Y) / Y.size
    model.train_on_batch(X, Y)  # at step count 10: 0.01
    np.testing.assert_allclose(before - model.get_weights()[0], 0.01 * (X.T @ d), rtol=1e-4)
    assert model.optimizer.iterations == 11


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_schedule_survives_save_and_load_and_goes_on_from_the_step_count(tmp_path, suffix):
    make = lambda: keras.optimizers.SGD(learning_rate=CosineDecay(0.2, 6, alpha=0.1), momentum=0.5)  # noqa: E731
    straight, resumed = linear_model(make()), linear_model(make())
    for _ in range(4):
        straight.train_on_batch(X, Y)
    for _ in range(2):
        resumed.train_on_batch(X, Y)
    paths = [v.path for v in resumed.optimizer.variables]
    assert paths[0] == "sgd/iteration" and "sgd/learning_rate" not in paths  # as Keras: no rate variable
    path = str(tmp_path / f"m{suffix}")
    resumed.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(path)
    lr = loaded.optimizer.learning_rate
    assert isinstance(lr, S.CosineDecay) and lr.get_config() == straight.optimizer.learning_rate.get_config()
    assert loaded.optimizer.get_config() == straight.optimizer.get_config()
    assert loaded.optimizer.get_config()["learning_rate"]["class_name"] == "CosineDecay"
    for _ in range(2):
        loaded.train_on_batch(X, Y)  # steps 2 and 3 of the schedule, not 0 and 1
    for got, want in zip(loaded.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-7)
    restarted = sgd_reference([0.2 * ((0.9 * 0.5 * (1 + math.cos(math.pi * k / 6))) + 0.1) for k in (0, 1, 0, 1)],
                              momentum=0.5)[-1][0]
    assert np.abs(restarted - straight.get_weights()[0]).max() > 1e-4  # a restarted schedule would differ


def test_custom_schedule_through_fit():
    class Halving(S.LearningRateSchedule):
        def __init__(self, initial):
            self.initial = initial

        def __call__(self, step):
            return self.initial / 2 ** step

        def get_config(self):
            return {"initial": self.initial}

    model = linear_model(keras.optimizers.SGD(learning_rate=Halving(0.4)))
    model.fit(X, Y, batch_size=5, epochs=3, shuffle=False, verbose=0)
    w, b = sgd_reference([0.4, 0.2, 0.1])[-1]
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5, atol=1e-6)
    assert S.serialize(Halving(0.4))["config"] == {"initial": 0.4}
