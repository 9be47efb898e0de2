"""Nadam (Adam with Nesterov momentum), with Keras 3's update rule."""

import numpy as np

from .. import ops
from .adam import _decayed_rows, _moment
from .optimizer import Optimizer, row_gradient

# The momentum schedule u_i = b1 (1 - 0.5 q^i), q = 0.96 (Keras 3; Keras 2: 0.96^schedule_decay).
_DECAY_BASE = 0.96
# Terms kept of the series for log prod(1 - 0.5 q^i): the k-th is below 0.48^k / k, so 40 terms
# leave an error near 1e-14, far under float32's resolution.
_SERIES_TERMS = 40


class Nadam(Optimizer):
    """Nadam (Keras 3 defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7).

    With the momentum schedule u_i = b1 (1 - 0.5 * 0.96^i) and its running product
    U_t = u_1 ... u_t at step t (1-based):
        m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2)
        m_hat = u_{t+1} m / (1 - U_t u_{t+1}) + (1 - u_t) g / (1 - U_t)
        p -= lr * m_hat / (sqrt(v / (1 - b2^t)) + epsilon)

    Keras 3 carries U_t in a variable updated once per step. horn computes it from t instead,
    with the same value: U_t = b1^t exp(sum_i log(1 - 0.5 q^i)), and expanding each log as a
    power series turns the sum over i into a sum over 40 terms k of closed geometric sums,
    -sum_k (0.5 q)^k (1 - q^(k t)) / (k (1 - q^k)). So U_t needs no state of its own: it
    follows `iterations` wherever that is set or restored.

    Keras 2's `schedule_decay` (2.x default 0.004) is honoured as Keras 2 did, as the exponent
    scale of the schedule: u_i = b1 (1 - 0.5 * 0.96^(i * schedule_decay)); left at None the
    schedule is Keras 3's (which has no such argument).

    Slots, named as Keras 3 names them: 'momentum' (m) and 'velocity' (v). On an embedding
    table's gradient m and v are updated row-sparse as Adam's are; the parameter update stays dense.

    Example:
        model.compile(optimizer=keras.optimizers.Nadam(learning_rate=0.002), loss="mse")
    """

    slot_names = ("momentum", "velocity")
    _sparse_rows_per_position = 3.0  # its parameter update stays dense, as Adam's

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, schedule_decay=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if schedule_decay is not None and not schedule_decay > 0:
            raise ValueError(f"Nadam(schedule_decay=...) must be a positive float or None, got {schedule_decay!r}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = float(1e-7 if epsilon is None else epsilon)
        self.schedule_decay = None if schedule_decay is None else float(schedule_decay)
        self._schedule = None  # (t, u_t, u_{t+1}, U_t) for the step being built

    def apply(self, params, grads, slots, lr, iterations, variables=None):
        self._schedule = None  # one momentum schedule per step, shared by all parameters
        try:
            return super().apply(params, grads, slots, lr, iterations, variables)
        finally:
            self._schedule = None

    def _momentum_schedule(self, t):
        """(u_t, u_{t+1}, U_t) as float32 graph scalars, built once per step.

        Computed in float64: with Keras 2's schedule_decay the series' terms reach thousands
        and nearly cancel, which float32 could not resolve."""
        if self._schedule is None or self._schedule[0] is not t:
            one, half, b1 = np.float64(1.0), np.float64(0.5), np.float64(self.beta_1)  # float64 constants
            q = np.float64(_DECAY_BASE) ** (1.0 if self.schedule_decay is None else self.schedule_decay)
            k = np.arange(1, _SERIES_TERMS + 1, dtype=np.float64)
            coefficients = (half * q) ** k / (k * (one - q**k))
            step = ops.cast(t, "float64")
            # log prod_{i<=t} (1 - 0.5 q^i) = -sum_k c_k (1 - (q^k)^t)
            log_product = ops.subtract(ops.sum(ops.multiply(coefficients, ops.power(q**k, step))),
                                       coefficients.sum())
            product = ops.multiply(ops.power(b1, step), ops.exp(log_product))
            u_t, u_next = (ops.multiply(b1, ops.subtract(one, ops.multiply(half, ops.power(q, i))))
                           for i in (step, ops.add(step, one)))
            self._schedule = (t, *(ops.cast(x, "float32") for x in (u_t, u_next, product)))
        return self._schedule[1:]

    def update(self, p, g, slots, lr, t):
        u_t, u_next, product = self._momentum_schedule(t)
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            m = _moment(slots[0], g, self.beta_1)
            v = _moment(slots[1], ops.square(g), self.beta_2)
        else:  # as Adam: untouched rows decay, within an ulp of the dense rule
            m = _decayed_rows(rows, slots[0], rows.values, self.beta_1)
            v = _decayed_rows(rows, slots[1], ops.square(rows.values), self.beta_2)
        momentum_part = ops.divide(ops.multiply(u_next, m), ops.subtract(1.0, ops.multiply(product, u_next)))
        if rows is None:
            gradient_part = ops.divide(ops.multiply(ops.subtract(1.0, u_t), g), ops.subtract(1.0, product))
            m_hat = ops.add(momentum_part, gradient_part)
        else:  # the gradient term is nonzero only on the touched rows
            gradient_rows = ops.divide(ops.multiply(ops.subtract(1.0, u_t), rows.values), ops.subtract(1.0, product))
            m_hat = rows.put(momentum_part, ops.add(rows.take(momentum_part), gradient_rows))
        v_hat = ops.divide(v, ops.subtract(1.0, ops.power(self.beta_2, t)))
        step = ops.divide(ops.multiply(m_hat, lr), ops.add(ops.sqrt(v_hat), self.epsilon))
        return ops.subtract(p, step), [m, v]

    def get_config(self):
        config = {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
        if self.schedule_decay is not None:  # Keras 3 has no such argument: only written when set
            config["schedule_decay"] = self.schedule_decay
        return config
