"""Adam (and AMSGrad)."""

from ...compiler.opdefs.gather import row_totals, scattered_rows
from .. import ops
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (Keras defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7).

    m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);
    p -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)
    (epsilon outside the square root and not bias-corrected, as in Keras).

    An embedding table's gradient (rows scattered into zeros) is not built: m and v decay as
    a whole (m * b1, one pass; Keras's m + (0 - m)(1 - b1) within an ulp) and only the rows
    the batch touched take Keras's rule, written back with one scatter. The parameter update
    stays dense (m is nonzero everywhere); 9 passes over the table instead of 14.
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
        rows = scattered_rows(g)
        if rows is None:
            m = self._moment(slots[0], g, self.beta_1)
            v = self._moment(slots[1], ops.square(g), self.beta_2)
        else:  # an embedding table's gradient: only the rows the batch touched are nonzero
            idx, g_rows = row_totals(*rows, p.shape[0])
            m = self._sparse_moment(slots[0], idx, g_rows, self.beta_1)
            v = self._sparse_moment(slots[1], idx, ops.square(g_rows), self.beta_2)
        new_slots = [m, v]
        denom_v = v
        if self.amsgrad:
            denom_v = ops.maximum(slots[2], v)
            new_slots.append(denom_v)
        step = ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(denom_v), self.epsilon))
        return ops.subtract(p, step), new_slots

    @staticmethod
    def _moment(s, x, beta):
        """Keras's s + (x - s)(1 - beta)."""
        return ops.add(s, ops.multiply(ops.subtract(x, s), 1.0 - beta))

    def _sparse_moment(self, s, idx, x_rows, beta):
        """The same where x is zero but on the rows idx (n, 1) (x_rows: their values, repeats
        alike): s * beta everywhere (Keras's form, s + (0 - s)(1 - beta), within an ulp), and
        the rows idx in Keras's form; a repeated row is written with the same value each time."""
        flat = ops.reshape(idx, (-1,))
        rows = self._moment(ops.take(s, flat, axis=0), x_rows, beta)
        return ops.scatter_update(ops.multiply(s, beta), idx, rows)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}
