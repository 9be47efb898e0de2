"""FTRL-Proximal, with Keras 3's update rule."""

import numpy as np

from .. import ops
from .optimizer import Optimizer


class Ftrl(Optimizer):
    """Follow The Regularized Leader (Keras 3 defaults: learning_rate=0.001,
    learning_rate_power=-0.5, initial_accumulator_value=0.1, l1_regularization_strength=0,
    l2_regularization_strength=0, l2_shrinkage_regularization_strength=0, beta=0).

    With c = -learning_rate_power, l1, l2, shrinkage and beta as given:
        n_new = n + g^2
        z += g + 2 shrinkage p - (n_new^c - n^c) / lr * p
        p = (clip(z, -l1, l1) - z) / (n_new^c / lr + 2 (l2 + beta / (2 lr)));  n = n_new
    (the shrinkage enters z only; n accumulates the plain gradient, as in Keras).

    Args:
        learning_rate_power: <= 0; -0.5 is AdaGrad-like decay, 0 a fixed learning rate.
        initial_accumulator_value: >= 0, the starting n.
        l1_regularization_strength, l2_regularization_strength: >= 0; l1 drives small weights
            to exactly zero.
        l2_shrinkage_regularization_strength: >= 0, an L2 penalty on the weights' magnitude.
        beta: as in the FTRL paper; adds beta / (2 lr) to the l2 strength.

    Slots, named as Keras 3 names them: 'accumulator' (n) and 'linear' (z). A parameter is
    rewritten from z at every step, touched or not, so an embedding table's update stays dense.

    Example:
        model.compile(optimizer=keras.optimizers.Ftrl(0.1, l1_regularization_strength=0.01), loss="mse")
    """

    slot_names = ("accumulator", "linear")

    def __init__(self, learning_rate=None, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        for arg, value, sign in (("initial_accumulator_value", initial_accumulator_value, 1),
                                 ("learning_rate_power", learning_rate_power, -1),
                                 ("l1_regularization_strength", l1_regularization_strength, 1),
                                 ("l2_regularization_strength", l2_regularization_strength, 1),
                                 ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, 1)):
            if value * sign < 0:
                raise ValueError(f"Ftrl({arg}=...) must be {'positive' if sign > 0 else 'negative'} or zero, "
                                 f"got {arg}={value!r}")
        self.learning_rate_power = float(learning_rate_power)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.l1_regularization_strength = float(l1_regularization_strength)
        self.l2_regularization_strength = float(l2_regularization_strength)
        self.l2_shrinkage_regularization_strength = float(l2_shrinkage_regularization_strength)
        self.beta = float(beta)

    def slot_initial_values(self, var):
        return [np.full(var.shape, self.initial_accumulator_value, var.dtype), np.zeros(var.shape, var.dtype)]

    def update(self, p, g, slots, lr, t):
        n, z = slots
        power = -self.learning_rate_power
        n_new = ops.add(n, ops.square(g))
        scale_new = ops.power(n_new, power)  # n_new^c, used twice
        sigma = ops.divide(ops.subtract(scale_new, ops.power(n, power)), lr)
        shrunk = g
        if self.l2_shrinkage_regularization_strength:
            shrunk = ops.add(g, ops.multiply(p, 2.0 * self.l2_shrinkage_regularization_strength))
        z = ops.add(z, ops.subtract(shrunk, ops.multiply(sigma, p)))
        l2 = ops.add(self.l2_regularization_strength, ops.divide(self.beta, ops.multiply(lr, 2.0)))
        quadratic = ops.add(ops.divide(scale_new, lr), ops.multiply(l2, 2.0))
        l1 = self.l1_regularization_strength
        new_p = ops.divide(ops.subtract(ops.clip(z, -l1, l1), z), quadratic)
        return new_p, [n_new, z]

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
