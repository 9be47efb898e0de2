"""Lion, with Keras 3's update rule."""

from .. import ops
from .optimizer import Optimizer, row_gradient


class Lion(Optimizer):
    """Lion, the sign of an interpolated momentum (Keras 3 defaults: learning_rate=0.001,
    beta_1=0.9, beta_2=0.99).

    p -= lr * sign(b1 m + (1 - b1) g);  then m = b2 m + (1 - b2) g

    The one slot is 'momentum', as Keras 3 names it. Lion's steps have size lr in every
    coordinate, so Keras advises a learning rate 3-10x smaller than Adam's. On an embedding
    table's gradient only the touched rows mix in g (elsewhere b1 m and b2 m
    are what the rule gives for g = 0), so the dense gradient is never built.

    Example:
        model.compile(optimizer=keras.optimizers.Lion(learning_rate=1e-4), loss="mse")
    """

    slot_names = ("momentum",)
    _sparse_rows_per_position = 3.0  # its parameter update stays dense, as Adam's

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError(f"Lion(beta_1=...) must be in (0, 1] (at 0 Lion degenerates to signSGD), "
                             f"got beta_1={beta_1!r}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)

    def update(self, p, g, slots, lr, t):
        m = slots[0]
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            direction = ops.sign(_mix(m, g, self.beta_1))
            return ops.subtract(p, ops.multiply(lr, direction)), [_mix(m, g, self.beta_2)]
        # untouched rows: b m + (1 - b) 0 is b m exactly, so only the touched rows mix in g
        direction = _mixed_rows(rows, m, self.beta_1)
        direction = rows.put(ops.sign(direction[0]), ops.sign(direction[1]))
        new_m = rows.put(*_mixed_rows(rows, m, self.beta_2))
        return ops.subtract(p, ops.multiply(lr, direction)), [new_m]

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


def _mix(m, g, beta):
    """b m + (1 - b) g."""
    return ops.add(ops.multiply(m, beta), ops.multiply(g, 1.0 - beta))


def _mixed_rows(rows, m, beta):
    """(b m, the touched rows of b m + (1 - b) g): what rows.put() takes."""
    decayed = ops.multiply(m, beta)
    return decayed, ops.add(rows.take(decayed), ops.multiply(rows.values, 1.0 - beta))
