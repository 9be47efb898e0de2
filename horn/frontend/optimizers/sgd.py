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
        decayed = [ops.multiply(s, self.momentum) for s in slots]
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            return self._rule(p, g, decayed, lr)
        # the rows are read from the decayed slot, so the slot can be updated in place
        p_rows, slot_rows = self._rule(rows.take(p), rows.values, [rows.take(s) for s in decayed], lr)
        if not self.momentum:
            return rows.put(p, p_rows), []
        v = rows.put(decayed[0], slot_rows[0])
        if self.nesterov:  # p + m v everywhere, less lr g on the touched rows (read from it, as above)
            moved = ops.add(p, ops.multiply(v, self.momentum))
            return rows.put(moved, ops.subtract(rows.take(moved), ops.multiply(lr, rows.values))), [v]
        return ops.add(p, v), [v]

    def _rule(self, p, g, decayed, lr):
        """The update on p from the slots already multiplied by the momentum."""
        step = ops.multiply(lr, g)
        if not self.momentum:
            return ops.subtract(p, step), []
        v = ops.subtract(decayed[0], step)
        if self.nesterov:
            return ops.subtract(ops.add(p, ops.multiply(v, self.momentum)), step), [v]
        return ops.add(p, v), [v]

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
