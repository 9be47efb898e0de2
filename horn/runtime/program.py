"""Sessions over compiled programs, and bindings that keep state on the device.

`Program` runs a model on numpy inputs (inference). `BoundProgram` runs a stateful program
(a training step, or an evaluation that reads the live parameters): its state lives in two
sets of device OrtValues, and two IOBindings made once per batch shape alternate between
them (in A -> out B, then in B -> out A), because binding an output onto its own input is
not safe in onnxruntime in general. The states whose update the compiler proved safe to
write in place (compiler/inplace.py) have one buffer that both sets share, bound as the
input, the output and the update's intermediate links. A step copies the batch into
pre-bound buffers and makes one `run_with_iobinding` call: no per-parameter work and no host
copies of weights.
"""

import numpy as np
import onnxruntime as ort

from . import providers as dev


def make_session(model_bytes):
    # onnxruntime's EliminateDropout deletes a Dropout whose mask output is unused even when
    # training_mode is true: training graphs would silently run without dropout.
    return ort.InferenceSession(model_bytes, sess_options=dev.session_options(),
                                providers=dev.providers(), disabled_optimizers=["EliminateDropout"])


class Program:
    """An inference session: numpy in, numpy out."""

    def __init__(self, model_bytes):
        self.session = make_session(model_bytes)
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.output_names = [o.name for o in self.session.get_outputs()]

    def __call__(self, *arrays):
        return self.session.run(None, dict(zip(self.input_names, arrays)))


class BoundProgram:
    """A program whose state inputs/outputs stay in device OrtValues between runs.

    Args:
        model_bytes: the serialized ONNX program.
        state: the initial state, numpy arrays, in the order of `state_inputs`.
        state_inputs: input names fed from the current state set.
        batch_inputs: input names fed from each run's numpy batch.
        scalar_inputs: input names of small host values set with `set_scalar`.
        state_outputs: output names that become the next state (same order as the state),
            or None for a program that only reads the state (evaluation).
        host_outputs: output names returned to the host after each run.
        inplace: {state index: names of the extra outputs its update writes in place before
            its output}, for the states the compiler found safe to update in place.
    """

    def __init__(self, model_bytes, state, state_inputs, batch_inputs, scalar_inputs=(),
                 state_outputs=None, host_outputs=(), shared_state=None, inplace=None):
        self.session = make_session(model_bytes)
        self.device = dev.device()
        self.state_inputs, self.batch_inputs = list(state_inputs), list(batch_inputs)
        self.state_outputs, self.host_outputs = state_outputs, list(host_outputs)
        self.sets = shared_state if shared_state is not None else StateSets(state, self.device)
        self.inplace = dict(inplace or {})
        self._scratch = {}  # buffers for the in-place links of states the sets do not share
        if state_outputs is not None:
            self.sets.add_writer(self.inplace)
        self._sets_version = self.sets.version
        self.scalars = {n: ort.OrtValue.ortvalue_from_numpy(np.zeros((), np.float32)) for n in scalar_inputs}
        self._scalar_host = {n: 0.0 for n in scalar_inputs}
        self._per_shape = {}
        self._last = None  # (rows, bindings) of the previous run: the usual case is a repeat
        self._run = self.session._sess.run_with_iobinding

    def set_scalar(self, name, value):
        value = float(value)
        if self._scalar_host[name] != value:
            self._scalar_host[name] = value
            self.scalars[name].update_inplace(np.asarray(value, np.float32))

    def _bindings(self, shapes):
        entry = self._per_shape.get(shapes)
        if entry is None:
            entry = self._per_shape[shapes] = self._bind(shapes)
        return entry

    def _bind(self, shapes):
        buffers = [np.empty(shape, dtype) for shape, dtype in shapes]
        if self.device == "cpu":  # the OrtValue reads the numpy buffer's memory directly
            values = [ort.OrtValue.ortvalue_from_numpy(b) for b in buffers]
        else:
            values = [ort.OrtValue.ortvalue_from_numpy(b, "cuda", 0) for b in buffers]
        bindings = []
        for parity in (0, 1):
            b = self.session.io_binding()
            for name, v in zip(self.batch_inputs, values):
                b.bind_ortvalue_input(name, v)
            for name, v in self.scalars.items():
                b.bind_ortvalue_input(name, v)
            for name, v in zip(self.state_inputs, self.sets.values[parity]):
                b.bind_ortvalue_input(name, v)
            if self.state_outputs is not None:
                for k, (name, v) in enumerate(zip(self.state_outputs, self.sets.values[1 - parity])):
                    b.bind_ortvalue_output(name, v)  # a shared state: its input's buffer
                    for link in self.inplace.get(k, ()):
                        b.bind_ortvalue_output(link, v if k in self.sets.shared else self._scratch_for(link, v))
            for name in self.host_outputs:
                b.bind_output(name, "cpu")
            bindings.append(b)
        # The pybind objects themselves: calling them directly skips the Python wrapper's
        # per-call checks (a few µs a step; notes §3).
        return buffers, values, bindings, [b._iobinding for b in bindings]

    def _scratch_for(self, name, like):
        if name not in self._scratch:
            self._scratch[name] = ort.OrtValue.ortvalue_from_shape_and_type(
                like.shape(), like.element_type(), like.device_name(), 0)
        return self._scratch[name]

    def run(self, batch, indices=None):
        """Run on `batch` (numpy arrays; rows `indices` of them if given)."""
        rows = len(batch[0]) if indices is None else len(indices)
        if self._sets_version != self.sets.version:  # another program changed which states share
            self._per_shape, self._last, self._sets_version = {}, None, self.sets.version
        last = self._last
        if last is not None and last[0] == rows:
            entry = last[1]
        else:
            entry = self._bindings(tuple(((rows,) + a.shape[1:], a.dtype) for a in batch))
            self._last = (rows, entry)
        buffers, values, bindings, raw = entry
        for buf, a in zip(buffers, batch):
            if indices is None:
                np.copyto(buf, a, casting="same_kind")
            else:
                a.take(indices, axis=0, out=buf)
        if self.device != "cpu":
            for buf, val in zip(buffers, values):
                val.update_inplace(buf)
        parity = self.sets.current
        self._run(raw[parity], None)
        if self.state_outputs is not None:
            self.sets.current = 1 - parity
        if self.host_outputs:
            return [o.numpy() for o in bindings[parity].get_outputs()]
        return None


class StateSets:
    """Two sets of device OrtValues for a program's state; `current` holds the live one.

    States in `shared` have one OrtValue in both sets (updated in place). Which ones is
    decided by the first program that writes the state; a later writer that cannot update
    some of them in place gives those back their second buffer (`version` then changes, and
    every program bound to the sets binds again)."""

    def __init__(self, arrays, device):
        self.device = device
        self.values = [[self.make_value(a, device) for a in arrays], [self.make_value(a, device) for a in arrays]]
        self.current = 0
        self.shared = set()
        self.version = 0
        self._has_writer = False

    @staticmethod
    def make_value(a, device):
        a = _contiguous(a)
        if device == "cpu":
            return ort.OrtValue.ortvalue_from_numpy(a.copy())
        return ort.OrtValue.ortvalue_from_numpy(a, "cuda", 0)

    def add_writer(self, inplace):
        """A program that writes the state, updating the states `inplace` in place."""
        live, other = self.values[self.current], self.values[1 - self.current]
        if not self._has_writer:
            self._has_writer = True
            self.shared = set(inplace)
            for k in self.shared:
                other[k] = live[k]
        else:
            for k in self.shared - set(inplace):
                other[k] = self.make_value(live[k].numpy(), self.device)
            self.shared &= set(inplace)
        self.version += 1

    def read(self, i):
        """State i as a numpy array (a copy on the host)."""
        return np.array(self.values[self.current][i].numpy())

    def write(self, i, array):
        self.values[self.current][i].update_inplace(_contiguous(array))


def _contiguous(a):
    """A C-contiguous array of a's shape (np.ascontiguousarray would make a 0-d array 1-d)."""
    a = np.asarray(a)
    return a if a.flags.c_contiguous else a.copy(order="C")
