"""SGD with optional momentum and Nesterov momentum."""

from .. import ops
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent (Keras defaults: learning_rate=0.01, momentum=0.0).

    With momentum m: v = m * v - lr * g, then p += v (or p += m * v - lr * g with nesterov).
    """

    _DEFAULT_LR = 0.01

    def __init__(self, learning_rate=None, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def update(self, p, g, slots, lr, t):
        step = ops.multiply(lr, g)
        if not self.momentum:
            return ops.subtract(p, step), []
        v = ops.subtract(ops.multiply(slots[0], self.momentum), step)
        if self.nesterov:
            return ops.subtract(ops.add(p, ops.multiply(v, self.momentum)), step), [v]
        return ops.add(p, v), [v]

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
