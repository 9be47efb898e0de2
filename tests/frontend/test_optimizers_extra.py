"""Adamax, Nadam, Ftrl and Lion: train_on_batch steps on a linear model against float64 numpy
transcriptions of Keras 3's update rules and against values printed by real Keras 3.15.1,
Nadam's closed-form momentum product, names, defaults, configs, errors and training. (Their
saved state and row-sparse forms are tested with the other optimizers', in
test_optimizer_state.py and test_row_sparse_updates.py.)"""


import numpy as np
import pytest

import horn as keras
from horn.compiler import Graph, optimize, to_onnx
from horn.runtime import Program

# The problem of test_optimizers.py: loss = Keras mse of a Dense(2) on 5 samples of 3 features,
# so dL/dW = X^T D and dL/db = sum_n D with D = 2 (XW + b - Y) / (N * U).
X = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [-1.0, 0.0, 1.0], [2.0, 1.0, 0.5], [0.0, -0.5, -1.5]], np.float32)
Y = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 2.0], [0.5, 0.5], [2.0, -1.0]], np.float32)
W0 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]], np.float32)
B0 = np.array([0.05, -0.05], np.float32)
STEPS = 6


def mse_grads(params):
    w, b = params
    d = 2.0 * (X.astype(np.float64) @ w + b - Y) / (X.shape[0] * Y.shape[1])
    return [X.T.astype(np.float64) @ d, d.sum(axis=0)]


def f32(x):
    """A hyperparameter as Keras 3 raises it to a power: cast to float32 first."""
    return float(np.float32(x))


# -- numpy transcriptions of Keras 3's rules (one parameter, float64; t is the 0-based step) ------
class RefAdamax:
    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.b1, self.b2, self.epsilon = beta_1, beta_2, epsilon

    def init(self, p):
        return {"m": np.zeros_like(p), "u": np.zeros_like(p)}

    def step(self, p, g, s, lr, t):
        s["m"] = s["m"] + (g - s["m"]) * (1 - self.b1)
        s["u"] = np.maximum(self.b2 * s["u"], np.abs(g))
        return p - lr * s["m"] / ((1 - f32(self.b1) ** (t + 1)) * (s["u"] + self.epsilon))


class RefNadam:
    """Keras 3 keeps the running product U of u_i = b1 (1 - 0.5 q^i) in a variable, multiplied by
    u_t before each step; Keras 2's schedule_decay makes q = 0.96^schedule_decay."""

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-7, schedule_decay=1.0):
        self.b1, self.b2, self.epsilon, self.q = beta_1, beta_2, epsilon, 0.96**schedule_decay
        self.product = {}  # the product is shared by all parameters: keyed by step

    def init(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def u(self, i):
        return self.b1 * (1 - 0.5 * self.q**i)

    def step(self, p, g, s, lr, t):
        step = t + 1
        u_product = np.prod([self.u(i) for i in range(1, step + 1)])
        u_t, u_next = self.u(step), self.u(step + 1)
        s["m"] = s["m"] + (g - s["m"]) * (1 - self.b1)
        s["v"] = s["v"] + (g**2 - s["v"]) * (1 - self.b2)
        m_hat = u_next * s["m"] / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = s["v"] / (1 - f32(self.b2) ** step)
        return p - lr * m_hat / (np.sqrt(v_hat) + self.epsilon)


class RefFtrl:
    def __init__(self, learning_rate_power=-0.5, initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0, beta=0.0):
        self.power, self.initial = learning_rate_power, initial_accumulator_value
        self.l1, self.l2, self.shrinkage, self.beta = (l1_regularization_strength, l2_regularization_strength,
                                                       l2_shrinkage_regularization_strength, beta)

    def init(self, p):
        return {"n": np.full_like(p, self.initial), "z": np.zeros_like(p)}

    def step(self, p, g, s, lr, t):
        c = -self.power
        n_new = s["n"] + g**2
        s["z"] = s["z"] + g + 2 * self.shrinkage * p - (n_new**c - s["n"] ** c) / lr * p
        quadratic = n_new**c / lr + 2 * (self.l2 + self.beta / (2 * lr))
        s["n"] = n_new
        return (np.clip(s["z"], -self.l1, self.l1) - s["z"]) / quadratic


class RefLion:
    def __init__(self, beta_1=0.9, beta_2=0.99):
        self.b1, self.b2 = beta_1, beta_2

    def init(self, p):
        return {"m": np.zeros_like(p)}

    def step(self, p, g, s, lr, t):
        new_p = p - lr * np.sign(self.b1 * s["m"] + (1 - self.b1) * g)
        s["m"] = self.b2 * s["m"] + (1 - self.b2) * g
        return new_p


def reference_run(ref, lrs, weight_decay=None):
    """The parameters after each step (Keras 3 decays p -= p * wd * lr before the rule)."""
    params = [W0.astype(np.float64), B0.astype(np.float64)]
    states = [ref.init(p) for p in params]
    history = []
    for t, lr in enumerate(lrs):
        grads = mse_grads(params)
        if weight_decay:
            params = [p - p * weight_decay * lr for p in params]
        params = [ref.step(p, g, s, lr, t) for p, g, s in zip(params, grads, states)]
        history.append([p.copy() for p in params])
    return history


def linear_model(optimizer):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.set_weights([W0, B0])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def run_and_check(optimizer, ref, lr, steps=STEPS, weight_decay=None):
    model = linear_model(optimizer)
    expected = reference_run(ref, [lr] * steps, weight_decay)
    for step in range(steps):
        model.train_on_batch(X, Y)
        for name, got, want, start in zip(("kernel", "bias"), model.get_weights(), expected[step], (W0, B0)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=f"{name} after step {step + 1}")
            change = want - start  # the change itself, to 0.1% of its largest component
            np.testing.assert_allclose(got - start, change, rtol=1e-3, atol=1e-3 * np.abs(change).max(),
                                       err_msg=f"{name} change after step {step + 1}")
    assert np.abs(model.get_weights()[0] - W0).max() > 1e-3  # the steps moved the weights
    return model


FTRL_ARGS = {"learning_rate_power": -0.7, "initial_accumulator_value": 0.2, "l1_regularization_strength": 0.01,
             "l2_regularization_strength": 0.02, "l2_shrinkage_regularization_strength": 0.03, "beta": 0.5}
UPDATE_CASES = [
    ("adamax", lambda: keras.optimizers.Adamax(0.01), RefAdamax(), 0.01, None),
    ("adamax_args", lambda: keras.optimizers.Adamax(0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-3),
     RefAdamax(0.8, 0.95, 1e-3), 0.02, None),
    ("nadam", lambda: keras.optimizers.Nadam(0.01), RefNadam(), 0.01, None),
    ("nadam_args", lambda: keras.optimizers.Nadam(0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-4),
     RefNadam(0.8, 0.99, 1e-4), 0.02, None),
    ("nadam_keras2_schedule_decay", lambda: keras.optimizers.Nadam(lr=0.002, schedule_decay=0.004),
     RefNadam(schedule_decay=0.004), 0.002, None),
    ("ftrl", lambda: keras.optimizers.Ftrl(0.1), RefFtrl(), 0.1, None),
    ("ftrl_args", lambda: keras.optimizers.Ftrl(0.2, **FTRL_ARGS), RefFtrl(**FTRL_ARGS), 0.2, None),
    ("ftrl_fixed_rate", lambda: keras.optimizers.Ftrl(0.1, learning_rate_power=0.0, l1_regularization_strength=0.005),
     RefFtrl(learning_rate_power=0.0, l1_regularization_strength=0.005), 0.1, None),
    ("lion", lambda: keras.optimizers.Lion(0.01), RefLion(), 0.01, None),
    ("lion_args_weight_decay", lambda: keras.optimizers.Lion(0.02, beta_1=0.5, beta_2=0.9, weight_decay=0.1),
     RefLion(0.5, 0.9), 0.02, 0.1),
]


@pytest.mark.parametrize("make, ref, lr, weight_decay", [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES])
def test_update_rule_matches_keras(make, ref, lr, weight_decay):
    run_and_check(make(), ref, lr, weight_decay=weight_decay)


def test_ftrl_l1_sets_weights_to_exactly_zero():
    """Strong l1 leaves |z| <= l1 for small weights, whose new value is then exactly 0."""
    model = linear_model(keras.optimizers.Ftrl(0.1, l1_regularization_strength=0.05))
    model.train_on_batch(X, Y)
    kernel = model.get_weights()[0]
    expected = reference_run(RefFtrl(l1_regularization_strength=0.05), [0.1])[0][0]
    assert (expected == 0).sum() >= 2 and np.all(kernel[expected == 0] == 0) and np.all(kernel[expected != 0] != 0)


# Real Keras 3.15.1 (jax backend), the same model, weights and data, train_on_batch `steps` times:
# the kernel and bias it printed afterwards.
KERAS_3_15_1 = {
    "adamax_args": (lambda: keras.optimizers.Adamax(0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-3), 5,
                    [[0.19863025844097137, -0.28797587752342224], [0.19828976690769196, 0.4262363910675049],
                     [-0.4812715947628021, 0.6953433752059937]], [0.15183009207248688, 0.05322227627038956]),
    "nadam": (lambda: keras.optimizers.Nadam(0.01), 8,
              [[0.15935325622558594, -0.25916725397109985], [0.2387247085571289, 0.4264930486679077],
               [-0.4840116500854492, 0.6590830087661743]], [0.11011397838592529, 0.010791797190904617]),
    "nadam_args": (lambda: keras.optimizers.Nadam(0.02, beta_1=0.8, beta_2=0.99, epsilon=1e-4), 8,
                   [[0.2290390431880951, -0.33276647329330444], [0.1571391373872757, 0.4770486056804657],
                    [-0.523763120174408, 0.7279692888259888]], [0.18489468097686768, 0.08754046261310577]),
    "ftrl_args": (lambda: keras.optimizers.Ftrl(0.2, **FTRL_ARGS), 5,
                  [[0.2573149800300598, -0.12996575236320496], [0.006615355145186186, 0.09406626969575882],
                   [-0.28314653038978577, 0.42564907670021057]], [0.26270774006843567, 0.26359793543815613]),
    "lion_args_weight_decay": (lambda: keras.optimizers.Lion(0.02, beta_1=0.5, beta_2=0.9, weight_decay=0.1), 5,
                               [[0.1986047923564911, -0.29760879278182983], [0.1974111646413803, 0.4559358060359955],
                                [-0.5151793360710144, 0.69362473487854]], [0.14910279214382172, 0.05009880289435387]),
}


@pytest.mark.parametrize("name", sorted(KERAS_3_15_1))
def test_matches_values_printed_by_keras(name):
    make, steps, kernel, bias = KERAS_3_15_1[name]
    model = linear_model(make())
    for _ in range(steps):
        model.train_on_batch(X, Y)
    got_kernel, got_bias = model.get_weights()
    # float32 on both sides; Nadam's U_t is a running float32 product in Keras: a few ulps apart
    np.testing.assert_allclose(got_kernel, np.float32(kernel), rtol=0, atol=1e-6)
    np.testing.assert_allclose(got_bias, np.float32(bias), rtol=0, atol=1e-6)
    assert np.abs(np.float32(kernel) - W0).max() > 1e-2  # Keras's steps moved far beyond the tolerance


@pytest.mark.parametrize("schedule_decay, q", [(None, 0.96), (0.004, 0.96**0.004)], ids=["keras3", "keras2"])
def test_nadam_momentum_product_in_closed_form(schedule_decay, q):
    """horn computes Keras's running product U_t = prod_{i<=t} b1 (1 - 0.5 q^i) from t alone: equal
    to the product, in float32, from the first step to step 5000."""
    optimizer = keras.optimizers.Nadam(beta_1=0.9, schedule_decay=schedule_decay)
    steps = np.array([1, 2, 3, 5, 10, 50, 100, 300, 1000, 5000])
    g = Graph("nadam_schedule")  # built as the training program builds it, from a float32 t
    t = g.input((), np.float32, "t")
    with g.building():
        g.outputs = list(optimizer._momentum_schedule(t))
    g.output_names = ["u_t", "u_next", "product"]
    program = Program(to_onnx(optimize(g, verify=True)).SerializeToString())
    u_t, u_next, product = np.array([program(np.array(s, np.float32)) for s in steps]).T
    i = np.arange(1, 5002, dtype=np.float64)
    u = 0.9 * (1 - 0.5 * q**i)
    want = np.cumprod(u)[steps - 1].astype(np.float32)  # underflows to 0 from t ~ 350, as Keras's float32 does
    np.testing.assert_allclose(product, want, rtol=2e-7, atol=0)
    np.testing.assert_allclose(u_t, u[steps - 1], rtol=1e-7)
    np.testing.assert_allclose(u_next, u[steps], rtol=1e-7)


# -- names, defaults, configs, errors --------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [("adamax", "Adamax"), ("nadam", "Nadam"), ("ftrl", "Ftrl"), ("lion", "Lion"),
                                       ("Adamax", "Adamax"), ("Nadam", "Nadam"), ("Ftrl", "Ftrl"), ("Lion", "Lion")])
def test_get_by_name(name, cls):
    assert type(keras.optimizers.get(name)) is getattr(keras.optimizers, cls)


# By name: Keras 3's defaults (all four have learning_rate 0.001).
NAME_CASES = [("adamax", RefAdamax()), ("nadam", RefNadam()), ("ftrl", RefFtrl()), ("lion", RefLion())]


@pytest.mark.parametrize("name, ref", NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_by_name_uses_keras_defaults(name, ref):
    model = linear_model(name)
    expected = reference_run(ref, [0.001] * 3)[-1]
    for _ in range(3):
        model.train_on_batch(X, Y)
    for got, want, start in zip(model.get_weights(), expected, (W0, B0)):
        np.testing.assert_allclose(got - start, want - start, rtol=1e-3, atol=1e-3 * np.abs(want - start).max())


def test_default_hyperparameters():
    adamax = keras.optimizers.Adamax()
    assert (adamax.learning_rate, adamax.beta_1, adamax.beta_2, adamax.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    nadam = keras.optimizers.Nadam()
    assert (nadam.learning_rate, nadam.beta_1, nadam.beta_2, nadam.epsilon, nadam.schedule_decay) == (
        0.001, 0.9, 0.999, 1e-7, None)
    ftrl = keras.optimizers.Ftrl()
    assert (ftrl.learning_rate, ftrl.learning_rate_power, ftrl.initial_accumulator_value,
            ftrl.l1_regularization_strength, ftrl.l2_regularization_strength,
            ftrl.l2_shrinkage_regularization_strength, ftrl.beta) == (0.001, -0.5, 0.1, 0.0, 0.0, 0.0, 0.0)
    lion = keras.optimizers.Lion()
    assert (lion.learning_rate, lion.beta_1, lion.beta_2) == (0.001, 0.9, 0.99)


CONFIG_CASES = [
    lambda: keras.optimizers.Adamax(0.02, beta_1=0.8, beta_2=0.95, epsilon=1e-3, clipnorm=1.0),
    lambda: keras.optimizers.Nadam(0.02, beta_1=0.8, epsilon=1e-4, name="my_nadam"),
    lambda: keras.optimizers.Nadam(0.002, schedule_decay=0.004),
    lambda: keras.optimizers.Ftrl(0.2, weight_decay=0.01, **FTRL_ARGS),
    lambda: keras.optimizers.Lion(3e-4, beta_1=0.95, beta_2=0.98, use_ema=True),
]


@pytest.mark.parametrize("make", CONFIG_CASES, ids=["adamax", "nadam", "nadam_keras2", "ftrl", "lion"])
def test_config_round_trip(make):
    optimizer = make()
    config = optimizer.get_config()
    again = type(optimizer).from_config(config)
    assert again.get_config() == config
    by_dict = keras.optimizers.get(keras.optimizers.serialize(optimizer))
    assert type(by_dict) is type(optimizer) and by_dict.get_config() == config


def test_keras3_config_without_schedule_decay():
    """Keras 3 writes no schedule_decay (it has none): horn writes it only when it was set."""
    assert "schedule_decay" not in keras.optimizers.Nadam().get_config()
    assert keras.optimizers.Nadam(schedule_decay=0.004).get_config()["schedule_decay"] == 0.004


def test_loads_a_config_written_by_keras3():
    """An Ftrl config as Keras 3.15.1 writes it (with its keys horn has no use for)."""
    config = {"name": "ftrl", "learning_rate": 0.05, "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
              "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
              "loss_scale_factor": None, "gradient_accumulation_steps": None, "learning_rate_power": -0.5,
              "initial_accumulator_value": 0.1, "l1_regularization_strength": 0.01,
              "l2_regularization_strength": 0.0, "l2_shrinkage_regularization_strength": 0.0, "beta": 0.0}
    ftrl = keras.optimizers.get({"class_name": "Ftrl", "config": config})
    assert (ftrl.learning_rate, ftrl.l1_regularization_strength) == (0.05, 0.01)


@pytest.mark.parametrize("make, message", [
    (lambda: keras.optimizers.Ftrl(learning_rate_power=0.5), r"learning_rate_power=0\.5"),
    (lambda: keras.optimizers.Ftrl(initial_accumulator_value=-0.1), r"initial_accumulator_value=-0\.1"),
    (lambda: keras.optimizers.Ftrl(l1_regularization_strength=-1.0), r"l1_regularization_strength=-1\.0"),
    (lambda: keras.optimizers.Ftrl(l2_regularization_strength=-1.0), r"l2_regularization_strength=-1\.0"),
    (lambda: keras.optimizers.Ftrl(l2_shrinkage_regularization_strength=-2.0),
     r"l2_shrinkage_regularization_strength=-2\.0"),
    (lambda: keras.optimizers.Lion(beta_1=0.0), r"Lion\(beta_1=\.\.\.\) must be in \(0, 1\].*beta_1=0\.0"),
    (lambda: keras.optimizers.Lion(beta_1=1.5), r"beta_1=1\.5"),
    (lambda: keras.optimizers.Nadam(schedule_decay=-1.0), r"schedule_decay.*-1\.0"),
], ids=["ftrl_power", "ftrl_accumulator", "ftrl_l1", "ftrl_l2", "ftrl_shrinkage", "lion_beta_0", "lion_beta_big",
        "nadam_schedule_decay"])
def test_bad_arguments_name_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="momentum"):
        keras.optimizers.Lion(momentum=0.9)


# -- training, and the saved state -----------------------------------------------------------------
TRAIN_X = np.random.default_rng(0).random((64, 4), dtype=np.float32)
TRAIN_Y = (TRAIN_X @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)
OPTIMIZERS = {
    "adamax": lambda: keras.optimizers.Adamax(0.02),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
    "ftrl": lambda: keras.optimizers.Ftrl(0.5, l2_regularization_strength=1e-4),
    "lion": lambda: keras.optimizers.Lion(0.003, weight_decay=0.01),
}


def _model(optimizer, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile(optimizer, "mse")
    return model


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_lowers_the_loss(name):
    model = _model(OPTIMIZERS[name]())
    before = model.evaluate(TRAIN_X, TRAIN_Y, verbose=0)
    history = model.fit(TRAIN_X, TRAIN_Y, epochs=8, batch_size=16, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0] and model.evaluate(TRAIN_X, TRAIN_Y, verbose=0) < 0.5 * before, losses


@pytest.mark.parametrize("name, slots", [("adamax", ["momentum", "norm"]), ("nadam", ["momentum", "velocity"]),
                                         ("ftrl", ["accumulator", "linear"]), ("lion", ["momentum"])])
def test_variables_are_named_as_keras_names_them(name, slots):
    model = _model(OPTIMIZERS[name]())
    model.train_on_batch(TRAIN_X[:16], TRAIN_Y[:16])
    paths = [v.path for v in model.optimizer.variables]
    per_parameter = [f"{name}/{layer}_{weight}_{slot}" for layer in ("hidden", "out") for weight in ("kernel", "bias")
                     for slot in slots]
    assert paths == [f"{name}/iteration", f"{name}/learning_rate"] + per_parameter
    if name == "ftrl":  # the accumulator starts at initial_accumulator_value and grows by g^2
        accumulator = model.optimizer.variables[2].numpy()
        assert accumulator.shape == (4, 3) and np.all(accumulator > 0.1)


def _steps(model, start, stop):
    for i in range(start, stop):
        model.train_on_batch(TRAIN_X[i * 16:(i + 1) * 16], TRAIN_Y[i * 16:(i + 1) * 16])
