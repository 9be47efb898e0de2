"""SGD with optional momentum and Nesterov momentum."""

from .. import ops
from .optimizer import Optimizer, row_gradient


class SGD(Optimizer):
    """Stochastic gradient descent (Keras defaults: learning_rate=0.01, momentum=0.0).

    With momentum m: v = m * v - lr * g, then p += v (or p += m * v - lr * g with nesterov).
    On an embedding table's gradient only the rows the batch touched are computed (elsewhere
    p stays, and v becomes m * v, exactly as the dense rule gives them).
    """

    _DEFAULT_LR = 0.01

    def __init__(self, learning_rate=None, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def update(self, p, g, slots, lr, t):
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            return self._rule(p, g, slots, lr)
        p_rows, slot_rows = self._rule(rows.take(p), rows.values, [rows.take(s) for s in slots], lr)
        if not self.momentum:
            return rows.put(p, p_rows), []
        v = rows.put(ops.multiply(slots[0], self.momentum), slot_rows[0])
        if self.nesterov:
            return rows.put(ops.add(p, ops.multiply(v, self.momentum)), p_rows), [v]
        return ops.add(p, v), [v]

    def _rule(self, p, g, slots, lr):
        step = ops.multiply(lr, g)
        if not self.momentum:
            return ops.subtract(p, step), []
        v = ops.subtract(ops.multiply(slots[0], self.momentum), step)
        if self.nesterov:
            return ops.subtract(ops.add(p, ops.multiply(v, self.momentum)), step), [v]
        return ops.add(p, v), [v]

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
