"""Adamax, with Keras 3's update rule."""

from .. import ops
from .adam import _decayed_rows, _moment
from .optimizer import Optimizer, row_gradient


class Adamax(Optimizer):
    """Adamax, Adam with the infinity norm (Keras 3 defaults: learning_rate=0.001, beta_1=0.9,
    beta_2=0.999, epsilon=1e-7).

    m += (g - m)(1 - b1);  u = max(b2 * u, |g|);  p -= lr * m / ((1 - b1^t) (u + epsilon))

    Slots, named as Keras 3 names them: 'momentum' (m) and 'norm' (u). On an embedding table's
    gradient only the touched rows compute the new m and u (elsewhere they are b1 m and b2 u,
    what the rule gives for g = 0); the parameter update stays dense, since m is nonzero everywhere.

    Example:
        model.compile(optimizer=keras.optimizers.Adamax(learning_rate=0.002), loss="mse")
    """

    slot_names = ("momentum", "norm")
    _sparse_rows_per_position = 3.0  # its parameter update stays dense, as Adam's

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.epsilon = float(1e-7 if epsilon is None else epsilon)

    def update(self, p, g, slots, lr, t):
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            m = _moment(slots[0], g, self.beta_1)
            u = ops.maximum(ops.multiply(slots[1], self.beta_2), ops.abs(g))
        else:  # untouched rows: m + (0 - m)(1 - b1) is b1 m (within an ulp), max(b2 u, 0) is b2 u
            m = _decayed_rows(rows, slots[0], rows.values, self.beta_1)
            decayed = ops.multiply(slots[1], self.beta_2)
            u = rows.put(decayed, ops.maximum(rows.take(decayed), ops.abs(rows.values)))
        correction = ops.subtract(1.0, ops.power(self.beta_1, t))
        step = ops.divide(ops.multiply(lr, m), ops.multiply(correction, ops.add(u, self.epsilon)))
        return ops.subtract(p, step), [m, u]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
