"""The Optimizer base: hyperparameters on the host, update rules as graph ops.

An optimizer's update is part of the training program: `apply()` gets the parameters,
their gradients and slots as graph values and returns the new ones. The learning rate
and the iteration count are program inputs/state, so schedules never recompile.
"""

import numpy as np

from ...compiler.opdefs.gather import row_totals, scattered_rows
from .. import ops
from . import schedules
from .saved_state import optimizer_variables


class Optimizer:
    """Base class. Subclasses define `slot_names` and `update(param, grad, slots, lr, t)`.

    Args:
        learning_rate: a float, or a schedule (a callable of the iteration count).
        clipnorm, clipvalue, global_clipnorm: gradient clipping, as in Keras 3: each gradient
            scaled to norm <= clipnorm, else all scaled to global norm <= global_clipnorm, else
            each entry clipped to [-clipvalue, clipvalue] (one kind applies; 0 means off).
        name: the optimizer's name.
    Keras 2 spellings are accepted: `lr=` for the learning rate and `decay=` for Keras 2's
    time-based decay lr / (1 + decay * iterations).
    """

    slot_names = ()
    _DEFAULT_LR = 0.001
    # Embedding tables with at least this many rows per position a step looks up are updated
    # row-sparse (row_gradient).
    _sparse_rows_per_position = 2.0

    def __init__(self, learning_rate=None, name=None, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, **kwargs):
        lr = kwargs.pop("lr", None)
        if lr is not None and learning_rate is not None:
            raise ValueError(f"{type(self).__name__}() got both lr={lr} and learning_rate={learning_rate}: "
                             "pass only learning_rate")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)
        if kwargs:
            raise TypeError(f"{type(self).__name__}() got unexpected keyword argument(s) {sorted(kwargs)}")
        if gradient_accumulation_steps or loss_scale_factor:
            raise NotImplementedError(f"{type(self).__name__}: loss_scale_factor and gradient_accumulation_steps "
                                      "are not supported by horn yet")
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"{type(self).__name__}(ema_momentum=...) must be in [0, 1], got {ema_momentum!r}")
        if ema_overwrite_frequency is not None and (not isinstance(ema_overwrite_frequency, int)
                                                    or ema_overwrite_frequency < 1):
            raise ValueError(f"{type(self).__name__}(ema_overwrite_frequency=...) must be None or a positive int, "
                             f"got {ema_overwrite_frequency!r}")
        self.use_ema, self.ema_momentum = bool(use_ema), float(ema_momentum)
        self.ema_overwrite_frequency = ema_overwrite_frequency if self.use_ema else None
        if weight_decay is not None and (not isinstance(weight_decay, (int, float)) or isinstance(weight_decay, bool)
                                         or weight_decay < 0):
            raise ValueError(f"{type(self).__name__}(weight_decay=...) must be a non-negative float, got "
                             f"{weight_decay!r}")
        self.weight_decay = None if weight_decay is None else float(weight_decay)
        self._excluded_from_decay, self._excluded_names = set(), []
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError("pass at most one of clipnorm and global_clipnorm")
        lr = learning_rate if learning_rate is not None else lr
        self.learning_rate = self._DEFAULT_LR if lr is None else lr
        self.name = name or type(self).__name__.lower()
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self._state = None  # set while a model trains: reads iterations and slots from the device
        self._restored = None  # a loaded model's saved step count and slots, until training starts
        self._iteration_offset = None  # (state, its step count less the caller's) for schedules

    # -- host side ------------------------------------------------------------------------
    @property
    def iterations(self):
        if self._state is None:
            return (self._restored or {}).get("iteration", 0)
        # .item(): the device copy of the 0-d step count may come back with shape (1,)
        return int(self._state.read_iterations().item())

    @property
    def variables(self):
        """Keras 3's list of the optimizer's variables: the step count, the learning rate (unless
        it is a schedule), then every trained parameter's slots once training has begun. Each has
        name, path, shape, dtype, numpy() and assign()."""
        return optimizer_variables(self)

    @property
    def lr(self):
        """Keras 2's name. A number that remembers its optimizer, so that Keras 2's
        K.set_value(optimizer.lr, value) can change the learning rate through it."""
        from ..backend import OptimizerLearningRate

        return self.learning_rate if callable(self.learning_rate) else OptimizerLearningRate(self)

    @lr.setter
    def lr(self, value):
        self.learning_rate = value

    def current_learning_rate(self, iterations):
        """The learning rate for the next step. A schedule gets the optimizer's step count, as in
        Keras; `iterations` is the caller's count of steps run on the current training state,
        which starts from a restored or assigned count, so the offset is read from the device
        once per state (and again after an assign), not every step."""
        lr = self.learning_rate
        if not callable(lr):
            return float(lr)
        if self._state is not None:
            if self._iteration_offset is None or self._iteration_offset[0] is not self._state:
                self._iteration_offset = (self._state, self.iterations - iterations)
            iterations += self._iteration_offset[1]
        return float(lr(iterations))

    def slot_initial_values(self, var):
        """The initial value of each slot for parameter var (numpy arrays)."""
        return [np.zeros(var.shape, var.dtype) for _ in self.slot_names]

    def slots(self, var):
        """(name, initial value) of every slot a parameter gets: the rule's own, then with
        use_ema its moving average (which starts as the parameter, as in Keras)."""
        own = list(zip(self.slot_names, self.slot_initial_values(var)))
        return own + ([("average", np.array(var.numpy()))] if self.use_ema else [])

    def finalize_variable_values(self, var_list):
        """Keras's end of fit(): with use_ema, the variables take their moving averages."""
        if not self.use_ema or self._state is None:
            return
        for var in var_list:
            average = self._state.read_slot(var, "average")
            if average is not None:
                var.assign(average)

    def get_config(self):
        lr = self.learning_rate
        if isinstance(lr, schedules.LearningRateSchedule):  # Keras 3 writes the schedule serialized
            lr = schedules.serialize(lr)
        elif callable(lr):
            lr = getattr(lr, "get_config", lambda: lr)()
        return {"name": self.name, "learning_rate": lr,
                "decay": self.decay, "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum, "ema_overwrite_frequency": self.ema_overwrite_frequency}

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Keras's: no weight decay for these variables, nor for variables whose name contains
        one of var_names (matched as regular expressions, as Keras does)."""
        self._excluded_from_decay |= {id(v) for v in var_list or []}
        self._excluded_names += list(var_names or [])

    def _decays(self, variable):
        """Whether weight decay applies to `variable` (to every parameter when not known)."""
        import re

        if variable is None:
            return True
        if id(variable) in self._excluded_from_decay:
            return False
        return not any(re.search(name, variable.name) for name in self._excluded_names)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "lr" in config and "learning_rate" not in config:
            config["learning_rate"] = config.pop("lr")
        config.pop("lr", None)
        if isinstance(config.get("learning_rate"), dict):  # a serialized schedule
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        for unused in ("is_legacy_optimizer", "jit_compile", "loss_scale_factor", "gradient_accumulation_steps",
                       "epsilon_legacy"):
            config.pop(unused, None)
        return cls(**config)

    # -- graph side -----------------------------------------------------------------------
    def apply(self, params, grads, slots, lr, iterations, variables=None):
        """New parameters and slots (graph values) after one step.

        params, grads: lists of values; slots: one list of slot values per parameter;
        lr: the learning-rate input; iterations: the int64 step count before this step;
        variables: the Variables the params stand for (for exclude_from_weight_decay).
        With weight_decay, each parameter first decays as Keras 3 does it, p - p * wd * lr,
        and the update rule then starts from the decayed value. With use_ema, each parameter's
        last slot is its moving average, updated after the rule as Keras 3 does it (momentum 0
        on the first step) and, every ema_overwrite_frequency steps, written into the parameter.
        """
        grads = self._clip(grads)
        step = ops.cast(iterations, "float32")
        if self.decay:
            lr = ops.divide(lr, ops.add(1.0, ops.multiply(self.decay, step)))
        t = ops.add(step, 1.0)
        variables = variables or [None] * len(params)
        new_params, new_slots = [], []
        for p, g, s, var in zip(params, grads, slots, variables):
            if g is None:  # this parameter does not affect the loss
                new_params.append(p)
                new_slots.append(list(s))
                continue
            if self.weight_decay and self._decays(var):
                p = ops.subtract(p, ops.multiply(ops.multiply(p, self.weight_decay), lr))
            np_, ns = self.update(p, g, list(s[:-1] if self.use_ema else s), lr, t)
            if self.use_ema:  # the last slot is the moving average
                np_, average = self._moving_average(np_, s[-1], iterations)
                ns = list(ns) + [average]
            new_params.append(np_)
            new_slots.append(ns)
        return new_params, new_slots

    def update(self, param, grad, slots, lr, t):
        raise NotImplementedError

    def _moving_average(self, param, average, iterations):
        """Keras 3's EMA of a parameter after its update: (new parameter, new average)."""
        momentum = ops.multiply(ops.cast(ops.not_equal(iterations, np.int64(0)), "float32"), self.ema_momentum)
        average = ops.add(ops.multiply(momentum, average), ops.multiply(ops.subtract(1.0, momentum), param))
        if self.ema_overwrite_frequency:
            step, every = ops.add(iterations, np.int64(1)), np.int64(self.ema_overwrite_frequency)
            due = ops.equal(ops.multiply(ops.divide(step, every), every), step)  # (integer division)
            param = ops.where(due, average, param)
        return param, average

    def _clip(self, grads):
        """Keras 3's rule: clipnorm (per tensor), else global_clipnorm, else clipvalue; 0 is off."""
        if self.clipnorm:
            return [None if g is None else _scale_to_norm(g, ops.sqrt(ops.sum(ops.square(g))), self.clipnorm)
                    for g in grads]
        if self.global_clipnorm:
            present = [g for g in grads if g is not None]
            norm = ops.sqrt(_add_all([ops.sum(ops.square(g)) for g in present]))
            return [None if g is None else _scale_to_norm(g, norm, self.global_clipnorm) for g in grads]
        if self.clipvalue:
            return [None if g is None else ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads


class RowGradient:
    """An embedding table's gradient kept as rows: for each of the n indices `idx` (n, 1) the
    batch scattered to (in order, repeats kept), `values` (n, ...) holds that index's whole
    gradient row. Update rules run on `take(x)` (x's rows at idx) and `put` writes the rows
    back into a full-size value; every other row of the table has a zero gradient."""

    def __init__(self, indices, updates, num_rows):
        self.idx, self.values = row_totals(indices, updates, num_rows)
        self.flat = ops.reshape(self.idx, (-1,))

    def take(self, x):
        return ops.take(x, self.flat, axis=0)

    def put(self, x, rows):
        """x with the rows at idx replaced (a repeated index gets the same row each time)."""
        return ops.scatter_update(x, self.idx, rows)


# A step's positions when the batch axis is dynamic: Keras's default batch size.
_ASSUMED_BATCH = 32


def row_gradient(grad, param, min_rows_per_position=2.0):
    """A RowGradient when `grad` is rows scattered into zeros (Gather's gradient: an embedding
    table's) and the table has at least `min_rows_per_position` rows per scattered position
    (a dynamic batch axis counted as 32), else None.

    The row-sparse form pays per position (gathers, the rule on rows, scatters) about what
    the dense form pays per table row: on a 128-wide table fed 2560 positions a step it wins
    from ~1.5 rows per position (RMSprop, 1 and 2 threads) to ~3 (Adam), and loses up to 2x on
    small tables (200 rows: 0.7 -> 1.5 ms).
    """
    rows = scattered_rows(grad)
    if rows is None:
        return None
    indices, updates = rows
    positions = np.prod([_ASSUMED_BATCH if d is None else d for d in indices.shape[:-1]])
    if param.shape[0] < min_rows_per_position * positions:
        return None
    return RowGradient(indices, updates, param.shape[0])


def _scale_to_norm(g, norm, limit):
    return ops.divide(ops.multiply(g, limit), ops.maximum(norm, limit))


def _add_all(values):
    total = values[0]
    for v in values[1:]:
        total = ops.add(total, v)
    return total
