"""An optimizer's state as Keras lists it (`optimizer.variables`), saved with the model and
given back by load_model(), so that fit() goes on where it stopped.

The list is Keras 3's: the step count ('iteration'), the learning rate (unless it is a
schedule), then the slots once training has begun: with use_ema every parameter's moving
average, then the rule's own slots parameter by parameter (Adam: a kernel's momentum and
velocity, then the next parameter's). A slot is named after its parameter's path and the slot,
e.g. 'adam/dense_kernel_momentum'.

Keras versions order their slots differently (3.x by slot or by parameter, 2.x all of one slot
then the next), and a `.keras` file stores them by position only, so only files horn wrote get
their slots back; from a Keras file horn takes the step count and warns that the slots start
from zero, as Keras itself does with a state it cannot place.
"""

import warnings

import numpy as np


class OptimizerVariable:
    """One entry of `optimizer.variables`: name, path, shape, dtype, numpy(), assign(value)."""

    def __init__(self, optimizer, name, shape, dtype, read, write):
        self.name, self.path = name, f"{optimizer.name}/{name}"
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self._read, self._write = read, write

    def numpy(self):
        return self._read()

    def assign(self, value):
        value = np.asarray(value)
        if value.shape != self.shape:
            raise ValueError(f"Optimizer variable '{self.path}' has shape {self.shape}; cannot assign a value of "
                             f"shape {value.shape}")
        self._write(value.astype(self.dtype))

    def __repr__(self):
        return f"<OptimizerVariable path={self.path}, shape={self.shape}, dtype={self.dtype}>"


def slot_order(optimizer, trainable):
    """[(parameter, slot name)] in Keras's order, for the trainable parameters."""
    averages = [(v, "average") for v in trainable] if optimizer.use_ema else []
    return averages + [(v, name) for v in trainable for name in optimizer.slot_names]


def slot_name(variable, slot):
    return f"{variable.path.replace('/', '_')}_{slot}"


def optimizer_variables(optimizer):
    state = optimizer._state
    entries = [OptimizerVariable(optimizer, "iteration", (), np.int64,
                                 lambda: np.array(optimizer.iterations, np.int64),
                                 lambda value: _set_iterations(optimizer, value))]
    if not callable(optimizer.learning_rate):
        entries.append(OptimizerVariable(optimizer, "learning_rate", (), np.float32,
                                         lambda: np.array(optimizer.learning_rate, np.float32),
                                         lambda value: setattr(optimizer, "learning_rate", float(value))))
    if state is None:
        return entries
    trainable = [v for v, t in zip(state.variables, state.is_trainable) if t]
    for var, slot in slot_order(optimizer, trainable):
        k = state.slot_index(var, slot)
        entries.append(OptimizerVariable(optimizer, slot_name(var, slot), var.shape, var.dtype,
                                         lambda k=k: state.sets.read(k), lambda value, k=k: state.sets.write(k, value)))
    return entries


def _set_iterations(optimizer, value):
    state = optimizer._state
    optimizer._iteration_offset = None  # a schedule re-reads the step count
    if state is None:
        optimizer._restored = dict(optimizer._restored or {}, iteration=int(value))
    else:
        state.sets.write(state.iterations_index, np.array(value, np.int64))


def restore(optimizer, values, trainable, names=None, written_by_horn=True, source="the file"):
    """Keep a saved `optimizer.variables` list for the training state to start from.

    values: the saved arrays, in order; names: their names (paths) where the file has them;
    trainable: the model's trainable variables, to check the slots against now.
    """
    names = [n.split("/")[-1].split(":")[0] for n in names] if names else [None] * len(values)
    kept = {}
    rest = list(zip(names, values))
    if rest and rest[0][0] in ("iteration", "iterations", None):
        kept["iteration"] = int(np.asarray(rest.pop(0)[1]).reshape(-1)[0])
    if rest and rest[0][0] in ("learning_rate", "lr", None) and np.ndim(rest[0][1]) == 0 \
            and not callable(optimizer.learning_rate):
        optimizer.learning_rate = float(rest.pop(0)[1])
    if rest and not written_by_horn:
        warnings.warn(f"{source} holds {len(rest)} optimizer slot(s) written by Keras, whose order horn cannot "
                      "be sure of: the optimizer's step count is restored, its slots start from zero.",
                      stacklevel=4)
        rest = []
    if rest and _fits(optimizer, trainable, rest, source):
        kept["slots"] = rest
    optimizer._restored = kept


def take_restored(optimizer, state, arrays):
    """At the start of training: put a restored step count and slots into the state's initial
    arrays (arrays[k] for state index k), if they still fit; otherwise warn, keep the fresh ones."""
    kept, optimizer._restored = optimizer._restored, None
    if not kept:
        return
    if "iteration" in kept:
        arrays[state.iterations_index] = np.array(kept["iteration"], np.int64)
    trainable = [v for v, t in zip(state.variables, state.is_trainable) if t]
    slots = kept.get("slots")
    if slots and _fits(optimizer, trainable, slots, "the restored optimizer state"):
        for (var, slot), (_, value) in zip(slot_order(optimizer, trainable), slots):
            arrays[state.slot_index(var, slot)] = np.asarray(value, var.dtype)


def _fits(optimizer, trainable, slots, source):
    """Whether saved (name, value) slots match the optimizer's slots for `trainable`; warns if not."""
    order = slot_order(optimizer, trainable)
    problem = None
    if len(order) != len(slots):
        problem = f"{len(slots)} slots for an optimizer that keeps {len(order)}"
    else:
        for (var, slot), (name, value) in zip(order, slots):
            expected = slot_name(var, slot)
            if np.shape(value) != var.shape or (name is not None and name != expected):
                problem = (f"slot '{name or expected}' of shape {np.shape(value)} where '{expected}' of shape "
                           f"{var.shape} was expected")
                break
    if problem:
        warnings.warn(f"The optimizer state in {source} does not fit this model ({problem}); the optimizer's "
                      "slots start from zero.", stacklevel=5)
    return problem is None
