"""A model's training state on the device: parameters, optimizer slots, step count, totals.

While a model trains, its variables' live values are in the `StateSets` of the training
program (device OrtValues). Each step only bumps a counter; variables are pulled to the
host when someone reads them, and pushed back once if someone assigned them meanwhile.
"""

import numpy as np

from ...runtime.program import StateSets
from ...runtime.providers import device
from ..optimizers.saved_state import take_restored
from ..variables import bump_generation


class TrainingState:
    def __init__(self, model, n_totals):
        self.variables = model._weights_and_states()
        trainable = {id(v) for v in model.trainable_weights}
        self.is_trainable = [id(v) in trainable for v in self.variables]
        optimizer = model.optimizer
        arrays = [np.array(v.numpy()) for v in self.variables]
        names = [f"state_{i}" for i in range(len(arrays))]
        self.slot_indices = {}
        for i, v in enumerate(self.variables):
            if not self.is_trainable[i]:
                continue
            self.slot_indices[i] = []
            for slot_name, init in optimizer.slots(v):
                self.slot_indices[i].append(len(arrays))
                names.append(f"slot_{i}_{slot_name}")
                arrays.append(np.asarray(init, v.dtype))
        self.iterations_index = len(arrays)
        arrays.append(np.zeros((), np.int64))
        names.append("iterations")
        self.totals_index = len(arrays)
        arrays.append(np.zeros(n_totals, np.float32))  # the logs' running sums (programs.LogPlan)
        names.append("log_totals")
        self.arrays, self.names = arrays, names
        take_restored(optimizer, self, arrays)
        self.sets = StateSets(arrays, device())
        self.version = 0
        self.dirty = False
        self.stale = False
        self.optimizer = optimizer
        for v in self.variables:
            v._owner = self
        optimizer._state = self

    def slot_values(self, values):
        return {i: [values[k] for k in ks] for i, ks in self.slot_indices.items()}

    # -- per step (O(1)) --------------------------------------------------------------------
    def stepped(self):
        self.version += 1
        self.dirty = True
        bump_generation()

    # -- host <-> device ------------------------------------------------------------------
    def pull(self):
        """Copy the live parameter values to the host variables (only if a step ran since)."""
        if not self.dirty:
            return
        self.dirty = False
        for i, v in enumerate(self.variables):
            v._set_from_device(self.sets.read(i))

    def host_changed(self):
        self.stale = True

    def push_if_stale(self):
        """After an assign() on the host: send every parameter to the device once."""
        if self.stale:
            self.stale = False
            for i, v in enumerate(self.variables):
                self.sets.write(i, v._value)

    def slot_index(self, var, slot_name):
        """The state index of one optimizer slot of `var` (None if it has none by that name)."""
        for i, v in enumerate(self.variables):
            if v is var and i in self.slot_indices:
                for k in self.slot_indices[i]:
                    if self.names[k] == f"slot_{i}_{slot_name}":
                        return k
        return None

    def read_slot(self, var, slot_name):
        """The live value of one optimizer slot of `var` (None if it has none by that name)."""
        k = self.slot_index(var, slot_name)
        return None if k is None else self.sets.read(k)

    def read_totals(self):
        return self.sets.read(self.totals_index)

    def reset_totals(self):
        self.sets.write(self.totals_index, np.zeros(self.arrays[self.totals_index].shape, np.float32))

    def read_iterations(self):
        return self.sets.read(self.iterations_index)

    def slot_arrays(self):
        return [self.sets.read(k) for ks in self.slot_indices.values() for k in ks]

    def detach(self):
        """Bring everything to the host and stop owning the variables (e.g. on recompile)."""
        self.pull()
        for v in self.variables:
            v._owner = None
            v._version += self.version
        if self.optimizer._state is self:
            self.optimizer._state = None
