"""Adagrad, with Keras 3's update rule."""

import numpy as np

from .. import ops
from .optimizer import Optimizer, row_gradient


class Adagrad(Optimizer):
    """Adagrad (Keras 3 defaults: learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7).

    a += g^2;  p -= lr * g / sqrt(a + epsilon)
    On an embedding table's gradient only the rows the batch touched are computed (the
    others keep a and p, as the dense rule does).
    """

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=None, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(1e-7 if epsilon is None else epsilon)

    def slot_initial_values(self, var):
        return [np.full(var.shape, self.initial_accumulator_value, var.dtype)]

    def update(self, p, g, slots, lr, t):
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            return self._rule(p, g, slots, lr)
        p_rows, (a_rows,) = self._rule(rows.take(p), rows.values, [rows.take(slots[0])], lr)
        return rows.put(p, p_rows), [rows.put(slots[0], a_rows)]

    def _rule(self, p, g, slots, lr):
        a = ops.add(slots[0], ops.square(g))
        return ops.subtract(p, ops.divide(ops.multiply(lr, g), ops.sqrt(ops.add(a, self.epsilon)))), [a]

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}
