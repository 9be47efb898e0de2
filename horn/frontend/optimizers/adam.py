"""Adam (and AMSGrad)."""

from .. import ops
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Keras defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7).

    m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);
    p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)
    (epsilon outside the square root and not bias-corrected, as in Keras).
    """

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon, self.amsgrad = float(1e-7 if epsilon is None else epsilon), bool(amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if self.amsgrad else ())

    def update(self, p, g, slots, lr, t):
        b1_power = ops.power(self.beta_1, t)
        b2_power = ops.power(self.beta_2, t)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1.0, b2_power))), ops.subtract(1.0, b1_power))
        m = ops.add(slots[0], ops.multiply(ops.subtract(g, slots[0]), 1.0 - self.beta_1))
        v = ops.add(slots[1], ops.multiply(ops.subtract(ops.square(g), slots[1]), 1.0 - self.beta_2))
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
