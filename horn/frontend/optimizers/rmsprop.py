"""RMSprop, with Keras 3's update rule."""

from .. import ops
from .optimizer import Optimizer, row_gradient


class RMSprop(Optimizer):
    """RMSprop (Keras defaults: learning_rate=0.001, rho=0.9, epsilon=1e-7).

    a = rho * a + (1 - rho) * g^2;  p -= lr * g / sqrt(a + epsilon)   (Keras 3's rule);
    with centered=True the mean gradient mg is tracked and a - mg^2 replaces a;
    with momentum m: v = m * v + lr * g / sqrt(...), p -= v.
    On an embedding table's gradient only the rows the batch touched are computed (elsewhere
    a, mg and v decay by rho, rho and m, and p stays without momentum: exactly as the dense
    rule gives them).
    """

    def __init__(self, learning_rate=None, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = float(rho), float(momentum), \
            float(1e-7 if epsilon is None else epsilon), bool(centered)
        self.slot_names = ("velocity",) + (("momentum",) if self.momentum else ()) + \
            (("average_gradient",) if self.centered else ())

    def update(self, p, g, slots, lr, t):
        decays = [self.rho] + ([self.momentum] if self.momentum else []) + ([self.rho] if self.centered else [])
        decayed = [ops.multiply(s, d) for s, d in zip(slots, decays)]
        rows = row_gradient(g, p, self._sparse_rows_per_position)
        if rows is None:
            return self._rule(p, g, decayed, lr)
        # the rows are read from the decayed slots, so the slots can be updated in place
        p_rows, slot_rows = self._rule(rows.take(p), rows.values, [rows.take(s) for s in decayed], lr)
        new_slots = [rows.put(s, r) for s, r in zip(decayed, slot_rows)]
        if self.momentum:
            return ops.subtract(p, new_slots[1]), new_slots
        return rows.put(p, p_rows), new_slots

    def _rule(self, p, g, decayed, lr):
        """The update on p from the slots already multiplied by their decays (rho, momentum)."""
        a = ops.add(decayed[0], ops.multiply(ops.square(g), 1.0 - self.rho))
        new_slots = [a]
        denom = a
        if self.centered:
            mg = ops.add(decayed[-1], ops.multiply(g, 1.0 - self.rho))
            denom = ops.subtract(a, ops.square(mg))
        increment = ops.divide(ops.multiply(lr, g), ops.sqrt(ops.add(denom, self.epsilon)))
        if self.momentum:
            v = ops.add(decayed[1], increment)
            new_slots.append(v)
            increment = v
        if self.centered:
            new_slots.append(mg)
        return ops.subtract(p, increment), new_slots

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
