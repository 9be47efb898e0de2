"""Adam (and AMSGrad)."""

from .. import ops
from .optimizer import Optimizer, row_gradient


class Adam(Optimizer):
    """Adam (Keras defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7).

    m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);
    p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)
    (epsilon outside the square root and not bias-corrected, as in Keras).

    An embedding table's gradient (rows scattered into zeros) is not built: m and v decay as
    a whole (m * b1, one pass; Keras's m + (0 - m)(1 - b1) within an ulp) and the rows the
    batch touched add (1 - b1) g to their decayed value (Keras's rule within an ulp), written
    back with one scatter; the slots can then be updated in place (compiler/inplace.py). The
    parameter update stays dense (m is nonzero everywhere).
    """

    _sparse_rows_per_position = 3.0  # its parameter update stays dense: it gains less

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon, self.amsgrad = float(1e-7 if epsilon is None else epsilon), bool(amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def update(self, p, g, slots, lr, t):
        b1_power = ops.power(self.beta_1, t)
        b2_power = ops.power(self.beta_2, t)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1.0, b2_power))), ops.subtract(1.0, b1_power))
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            m = _moment(slots[0], g, self.beta_1)
            v = _moment(slots[1], ops.square(g), self.beta_2)
        else:  # where g is zero, s + (0 - s)(1 - beta) is s * beta (within an ulp)
            m = _decayed_rows(rows, slots[0], rows.values, self.beta_1)
            v = _decayed_rows(rows, slots[1], ops.square(rows.values), self.beta_2)
        new_slots = [m, v]
        denom_v = v
        if self.amsgrad:
            denom_v = ops.maximum(slots[2], v)
            new_slots.append(denom_v)
        step = ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(denom_v), self.epsilon))
        return ops.subtract(p, step), new_slots

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


def _moment(s, x, beta):
    """Keras's s + (x - s)(1 - beta)."""
    return ops.add(s, ops.multiply(ops.subtract(x, s), 1.0 - beta))


def _decayed_rows(rows, s, x, beta):
    """s * beta, with (1 - beta) x added on the rows the batch touched."""
    decayed = ops.multiply(s, beta)
    return rows.put(decayed, ops.add(rows.take(decayed), ops.multiply(x, 1.0 - beta)))


class AdamW(Adam):
    """Adam with decoupled weight decay (Keras 3's AdamW: weight_decay=0.004 by default): each
    step first decays every parameter, p -= p * weight_decay * lr, then takes Adam's step.
    `exclude_from_weight_decay(var_list=..., var_names=...)` spares some (biases, say)."""

    def __init__(self, learning_rate=None, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW(weight_decay=...) must be a float, got None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)
