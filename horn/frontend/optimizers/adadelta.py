"""Adadelta, with Keras 3's update rule."""

from .. import ops
from .optimizer import Optimizer, row_gradient


class Adadelta(Optimizer):
    """Adadelta (Keras 3 defaults: learning_rate=0.001, rho=0.95, epsilon=1e-7).

    a = rho * a + (1 - rho) * g^2;  delta = -sqrt(d + epsilon) / sqrt(a + epsilon) * g;
    d = rho * d + (1 - rho) * delta^2;  p += lr * delta
    (a: the accumulated squared gradients, d: the accumulated squared updates; the same rule
    as Keras 2, whose default learning rate was 1.0: pass it for the classic examples).
    On an embedding table's gradient only the rows the batch touched are computed (elsewhere
    a and d decay by rho and p stays, exactly as the dense rule gives them).

    Args:
        learning_rate: a float or a schedule (default 0.001).
        rho: the decay rate of both accumulators (default 0.95).
        epsilon: added inside both square roots (default 1e-7).

    Example: `model.compile(optimizer=Adadelta(learning_rate=1.0), loss=...)`.
    """

    slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=None, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= rho <= 1:
            raise ValueError(f"Adadelta(rho=...) must be in [0, 1], got {rho!r}")
        self.rho = float(rho)
        self.epsilon = float(1e-7 if epsilon is None else epsilon)

    def update(self, p, g, slots, lr, t):
        decayed = [ops.multiply(s, self.rho) for s in slots]
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            return self._rule(p, g, slots, decayed[0], lr)
        # the accumulated gradient's rows are read from its decayed value, so it can be updated
        # in place; the step needs the accumulated updates as they were
        p_rows, slot_rows = self._rule(rows.take(p), rows.values, [rows.take(s) for s in slots],
                                       rows.take(decayed[0]), lr)
        return rows.put(p, p_rows), [rows.put(s, r) for s, r in zip(decayed, slot_rows)]

    def _rule(self, p, g, slots, decayed_grad, lr):
        """The update on p; decayed_grad is the accumulated gradient times rho."""
        rho, eps = self.rho, self.epsilon
        a = ops.add(decayed_grad, ops.multiply(ops.square(g), 1.0 - rho))
        # -delta, with one square root: sqrt(d + eps) / sqrt(a + eps) = sqrt((d + eps) / (a + eps)).
        step = ops.multiply(g, ops.sqrt(ops.divide(ops.add(slots[1], eps), ops.add(a, eps))))
        d = ops.add(ops.multiply(slots[1], rho), ops.multiply(ops.square(step), 1.0 - rho))
        return ops.subtract(p, ops.multiply(step, lr)), [a, d]

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
