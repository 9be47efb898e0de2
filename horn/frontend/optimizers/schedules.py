"""Learning-rate schedules (Keras 3's `keras.optimizers.schedules`).

A schedule is a callable of the optimizer's step count (its `iterations` before the step) that
returns the learning rate for that step. horn evaluates it on the host, once per step, and
feeds the value to the training program as its learning-rate input, so a schedule never
recompiles anything and costs one Python call per step.

    lr = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
"""

import math

import numpy as np

from ..registry import Registry


class LearningRateSchedule:
    """Base class: subclasses implement `__call__(step)` and `get_config()`.

    Example:
        class Halving(keras.optimizers.schedules.LearningRateSchedule):
            def __init__(self, initial):
                self.initial = initial
            def __call__(self, step):
                return self.initial / 2 ** (step // 100)
            def get_config(self):
                return {"initial": self.initial}
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`__call__(self, step)`.")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  "`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


def _positive_steps(owner, arg, value):
    if not value > 0:
        raise ValueError(f"{owner}({arg}=...) must be > 0, got {arg}={value!r}")


def _step(step):
    """The step count as a float (it may come as a numpy scalar or 0-d array)."""
    return float(np.asarray(step).reshape(()))


class ExponentialDecay(LearningRateSchedule):
    """initial_learning_rate * decay_rate ^ (step / decay_steps), with floor(step / decay_steps)
    when staircase=True.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0, the steps over which the rate is multiplied by decay_rate.
        decay_rate: the factor per decay_steps.
        staircase: decay at whole multiples of decay_steps only.
        name: Keras's name for the schedule.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        _positive_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        return self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """initial_learning_rate / (1 + decay_rate * step / decay_steps), with floor(step /
    decay_steps) when staircase=True. Args as ExponentialDecay's."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        _positive_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps, self.decay_rate = initial_learning_rate, decay_steps, decay_rate
        self.staircase, self.name = staircase, name

    def __call__(self, step):
        p = _step(step) / self.decay_steps
        return self.initial_learning_rate / (1.0 + self.decay_rate * (math.floor(p) if self.staircase else p))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <=
    boundaries[i], values[-1] after boundaries[-1].

    Args:
        boundaries: increasing step counts, one fewer than values.
        values: the learning rates.
        name: Keras's name for the schedule.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"PiecewiseConstantDecay(boundaries=..., values=...): boundaries must have one element "
                             f"fewer than values, got boundaries={boundaries} of length {len(boundaries)} and "
                             f"values={values} of length {len(values)}")
        if any(b >= c for b, c in zip(boundaries, boundaries[1:])):
            raise ValueError(f"PiecewiseConstantDecay(boundaries=...) must be strictly increasing, got {boundaries}")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step):
        step = _step(step)
        # the number of boundaries the step has passed picks the value
        return self.values[sum(step > b for b in self.boundaries)]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(initial - end) * (1 - step / decay_steps) ^ power + end, with step capped at
    decay_steps; with cycle=True decay_steps grows to the first multiple of itself at or
    above step (1 x at step 0) instead.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0, the steps to reach end_learning_rate.
        end_learning_rate: the final rate (default 0.0001).
        power: the polynomial's power (default 1.0, linear).
        cycle: restart the decay past decay_steps.
        name: Keras's name for the schedule.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        _positive_steps(type(self).__name__, "decay_steps", decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step):
        step, decay_steps = _step(step), float(self.decay_steps)
        if self.cycle:
            decay_steps *= 1.0 if step == 0 else math.ceil(step / decay_steps)
        else:
            step = min(step, decay_steps)
        fraction = 1.0 - step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * fraction ** self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


def _cosine(fraction, alpha):
    """(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha."""
    return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * fraction)) + alpha


class CosineDecay(LearningRateSchedule):
    """Cosine decay, after an optional linear warmup.

    Without warmup_target: initial * ((1 - alpha) (1 + cos(pi s / decay_steps)) / 2 + alpha), s =
    min(step, decay_steps). With warmup_target: for step < warmup_steps the rate goes linearly
    from initial_learning_rate to warmup_target, then decays from warmup_target as above with s =
    min(step - warmup_steps, decay_steps).

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: > 0, the steps of the cosine decay.
        alpha: the final rate, as a fraction of the rate decayed from.
        name: Keras's name for the schedule.
        warmup_target: the rate warmup ends at (None: no warmup).
        warmup_steps: the warmup's length in steps.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        _positive_steps(type(self).__name__, "decay_steps", decay_steps)
        if warmup_steps < 0:
            raise ValueError(f"CosineDecay(warmup_steps=...) must be >= 0, got warmup_steps={warmup_steps!r}")
        self.initial_learning_rate, self.decay_steps, self.alpha, self.name = initial_learning_rate, decay_steps, \
            alpha, name
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def __call__(self, step):
        step = _step(step)
        if self.warmup_target is None:
            return self.initial_learning_rate * _cosine(min(step, self.decay_steps) / self.decay_steps, self.alpha)
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.warmup_target - self.initial_learning_rate) * fraction + self.initial_learning_rate
        return self.warmup_target * _cosine((step - self.warmup_steps) / self.decay_steps, self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    Period i (from 0) lasts first_decay_steps * t_mul^i steps; at fraction f of it the rate is
    initial_learning_rate * ((1 - alpha) * m_mul^i * (1 + cos(pi f)) / 2 + alpha).

    Args:
        initial_learning_rate: the rate at step 0.
        first_decay_steps: > 0, the first period's length.
        t_mul: each period's length over the one before (default 2.0).
        m_mul: each period's starting rate over the one before (default 1.0).
        alpha: the floor, as a fraction of initial_learning_rate.
        name: Keras's name for the schedule.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        _positive_steps(type(self).__name__, "first_decay_steps", first_decay_steps)
        self.initial_learning_rate, self.first_decay_steps = initial_learning_rate, first_decay_steps
        self.t_mul, self.m_mul, self.alpha, self.name = t_mul, m_mul, alpha, name

    def __call__(self, step):
        fraction = _step(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            restart = math.floor(fraction)
            fraction -= restart
        else:  # periods 0..i-1 span (1 - t^i) / (1 - t) first periods
            restart = math.floor(math.log(1.0 - fraction * (1.0 - self.t_mul)) / math.log(self.t_mul))
            done = (1.0 - self.t_mul**restart) / (1.0 - self.t_mul)
            fraction = (fraction - done) / self.t_mul**restart
        decayed = 0.5 * self.m_mul**restart * (1.0 + math.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * decayed + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_registry = Registry("learning rate schedule")
for _cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay,
             CosineDecayRestarts):
    _registry.register(_cls.__name__)(_cls)


def serialize(learning_rate_schedule):
    """Keras 3's form: {'module', 'class_name', 'config', 'registered_name'}."""
    if not isinstance(learning_rate_schedule, LearningRateSchedule):
        raise TypeError(f"serialize() expects a LearningRateSchedule, got {learning_rate_schedule!r}")
    cls = type(learning_rate_schedule)
    builtin = _registry.entries.get(cls.__name__) is cls
    return {"module": "keras.optimizers.schedules" if builtin else cls.__module__, "class_name": cls.__name__,
            "config": learning_rate_schedule.get_config(), "registered_name": None if builtin else cls.__name__}


def deserialize(config, custom_objects=None):
    """A schedule from serialize()'s dict (Keras 3's form, or Keras 2's {'class_name', 'config'})."""
    if isinstance(config, LearningRateSchedule):
        return config
    if not isinstance(config, dict) or "class_name" not in config:
        raise TypeError(f"deserialize() expects a dict with 'class_name' and 'config', got {config!r}")
    cls = _registry.lookup(config.get("registered_name") or config["class_name"], custom_objects)
    return cls.from_config(dict(config.get("config", {})))


__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule",
           "PiecewiseConstantDecay", "PolynomialDecay", "deserialize", "serialize"]
