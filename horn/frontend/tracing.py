"""The trace context: what a layer's call() sees while horn compiles it.

A trace maps each Variable to the graph Value standing for it (a program input while
training, a constant in inference programs), knows whether this is a training trace, and
collects the losses (`add_loss`) and state updates (`add_update`) layers make on the way.
"""

import contextlib
import contextvars

_active: contextvars.ContextVar = contextvars.ContextVar("horn_trace", default=None)


class Trace:
    def __init__(self, graph, training=False, variables="inputs", bound=None, carry_states=False):
        self.graph = graph
        self.training = bool(training)
        # Also record state updates outside training (a stateful RNN's states in predict()).
        self.carry_states = bool(carry_states)
        self.mode = variables  # "inputs": new graph inputs; "constants": baked-in values
        self.bound = dict(bound or {})  # id(variable) -> Value
        self.losses = []
        self.updates = {}  # id(variable) -> (variable, new value)
        self.masks = {}  # id(value) -> its boolean mask (Keras's _keras_mask), (batch, time)
        graph.resolve_variable = self.read

    def read(self, var):
        v = self.bound.get(id(var))
        if v is None:
            if self.mode == "constants":
                v = self.graph.constant(var.numpy(), name=var.path.replace("/", "_"))
            else:
                v = self.graph.input(var.shape, var.dtype, var.path)
            self.bound[id(var)] = v
        return v

    @contextlib.contextmanager
    def active(self):
        token = _active.set(self)
        try:
            with self.graph.building():
                yield self
        finally:
            _active.reset(token)


def current():
    return _active.get()


def mask_of(value):
    """The mask riding on a traced value, or None."""
    trace = _active.get()
    return None if trace is None else trace.masks.get(id(value))


def flatten(struct):
    if isinstance(struct, (list, tuple)):
        return [x for s in struct for x in flatten(s)]
    if isinstance(struct, dict):
        return [x for k in struct for x in flatten(struct[k])]
    return [struct]


def map_structure(fn, struct):
    if isinstance(struct, list):
        return [map_structure(fn, s) for s in struct]
    if isinstance(struct, tuple):
        return tuple(map_structure(fn, s) for s in struct)
    if isinstance(struct, dict):
        return {k: map_structure(fn, v) for k, v in struct.items()}
    return fn(struct)


def pack_like(struct, flat):
    it = iter(flat)
    return map_structure(lambda _: next(it), struct)
