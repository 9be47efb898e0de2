"""The Layer base class: weights, building, and the three ways a layer is called.

- on KerasTensors (functional API): the call is traced into a scratch graph to learn the
  output shapes, and recorded as a node of the layer graph;
- inside a trace (horn compiling a program): `call()` runs on graph values;
- on numpy arrays (eager): the call is compiled into a small program, cached, and run.
"""

import functools
import inspect

import numpy as np

from ...compiler import Graph
from ...compiler.ir import Value
from .. import constraints, initializers, naming, regularizers, tracing
from ..variables import Variable
from .input_spec import InputSpec
from .keras_tensor import CallNode, KerasTensor

_BASE_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim", "weights", "input_dtype",
                "activity_regularizer", "autocast", "batch_shape", "input_length")


class Layer:
    """Base class of every layer.

    Subclasses implement `__init__` (validate and store arguments), `build(input_shape)`
    (create weights with `add_weight`), `call(inputs)` (compute with `horn.ops`),
    `compute_output_shape` (optional) and `get_config`.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        unknown = set(kwargs) - set(_BASE_KWARGS)
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected keyword argument(s) "
                            f"{sorted(unknown)}")
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = np.dtype(dtype) if dtype is not None and not isinstance(dtype, dict) else np.dtype("float32")
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._trainable_weights, self._non_trainable_weights = [], []
        self._state_variables = []  # carried from call to call, not weights (add_state)
        self._inbound_nodes = []
        self._initial_weights = kwargs.get("weights")
        self.activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        self._batch_input_shape = _batch_input_shape(kwargs)
        dt = kwargs.get("input_dtype")
        self._input_dtype = np.dtype(dt) if dt else None
        self._eager_programs = {}

    def __init_subclass__(cls, **kwargs):
        """As in Keras 3, a subclass's `build()` marks the layer built when it returns, so a user
        who calls `layer.build(shape)` directly (without `super().build()` or `self.built = True`)
        does not get a second set of weights on the first call. Models track `built` from their
        graph, so their `build` is left alone."""
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is None or getattr(build, "_marks_built", False) or hasattr(cls, "_init_training"):
            return

        @functools.wraps(build)
        def build_and_mark(self, *args, **kw):
            result = build(self, *args, **kw)
            self.built = True
            return result

        build_and_mark._marks_built = True
        cls.build = build_and_mark

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """As in Keras 3, (un)freezing a layer (un)freezes the layers inside it too."""
        self._trainable = bool(value)
        for sub in self._sublayers() if hasattr(self, "_trainable_weights") else []:
            sub.trainable = value

    # -- weights ------------------------------------------------------------------------
    def add_weight(self, *args, **kwargs):
        """Create a weight. Keras 3 order: (shape, initializer, dtype, trainable, ..., name);
        Keras 2 order when the first argument is a name: (name, shape, dtype, initializer,
        regularizer, trainable, constraint)."""
        if args and isinstance(args[0], str):
            order = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint")
        else:
            order = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                     "constraint", "aggregation", "name")
        kwargs.update(zip(order, args))
        shape = tuple(int(d) for d in (kwargs.get("shape") or ()))
        dtype = np.dtype(kwargs.get("dtype") or self.dtype)
        init = initializers.get(kwargs.get("initializer") or
                                ("glorot_uniform" if dtype.kind == "f" else "zeros"))
        name = kwargs.get("name") or f"variable_{len(self.weights)}"
        var = Variable(np.asarray(init(shape, dtype=dtype), dtype), f"{self.name}/{name}",
                       trainable=kwargs.get("trainable", True),
                       regularizer=regularizers.get(kwargs.get("regularizer")),
                       constraint=constraints.get(kwargs.get("constraint")))
        (self._trainable_weights if var.trainable else self._non_trainable_weights).append(var)
        return var

    def _sublayers(self):
        return [v for v in vars(self).values() if isinstance(v, Layer)] + \
            [x for v in vars(self).values() if isinstance(v, (list, tuple)) for x in v if isinstance(x, Layer)]

    def add_state(self, name, shape, dtype=None):
        """Zeros the layer carries from one call to the next without them being weights (a
        stateful RNN's states: Keras lists them in neither `weights` nor its files); training
        and predict programs carry them like moving statistics."""
        var = Variable(np.zeros(tuple(int(d) for d in shape), np.dtype(dtype or self.dtype)), f"{self.name}/{name}",
                       trainable=False)
        self._state_variables.append(var)
        return var

    def _walk_weights(self, trainable=True, states=False):
        """(variable, trains) in Keras 3's order: the layer's own weights (trainable, then
        non-trainable), then each sublayer's in turn; with `states`, the carried states too."""
        trainable = trainable and self.trainable
        for w in self._trainable_weights:
            yield w, trainable
        for w in self._non_trainable_weights:
            yield w, False
        if states:
            for w in getattr(self, "_state_variables", ()):
                yield w, False
        for sub in self._sublayers():
            yield from sub._walk_weights(trainable, states)

    def _listed_weights(self, states=False):
        seen, found = set(), []
        for w, trains in self._walk_weights(True, states):
            if id(w) not in seen:
                seen.add(id(w))
                found.append((w, trains))
        return found

    @property
    def trainable_weights(self):
        return [w for w, trains in self._listed_weights() if trains]

    @property
    def non_trainable_weights(self):
        return [w for w, trains in self._listed_weights() if not trains]

    @property
    def weights(self):
        """Keras 3's order: each layer's weights in turn (Keras 2 listed every trainable weight
        first; its HDF5 files still do, per top-level layer: saving/hdf5.py)."""
        return [w for w, _ in self._listed_weights()]

    @property
    def variables(self):
        return self.weights

    def _weights_and_states(self):
        """What a program carries: the weights and the stateful layers' states."""
        return [w for w, _ in self._listed_weights(states=True)]

    def get_weights(self):
        return [np.array(w.numpy()) for w in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"Layer '{self.name}' expects {len(mine)} weights "
                             f"({[w.shape for w in mine]}), but set_weights() received {len(weights)}")
        for var, value in zip(mine, weights):
            value = np.asarray(value)
            if value.shape != var.shape:
                raise ValueError(f"Layer '{self.name}' weight '{var.name}' has shape {var.shape}, "
                                 f"but set_weights() received shape {value.shape}")
            var.assign(value)

    def count_params(self):
        if not self.built:
            raise ValueError(f"Layer '{self.name}' is not built yet, so it has no weights to count: "
                             "call it on data or build(input_shape) first.")
        return int(sum(np.prod(w.shape) for w in self.weights))

    # -- building -----------------------------------------------------------------------
    def build(self, input_shape=None):
        self.built = True

    def _maybe_build(self, shapes):
        if self.built:
            return
        self.build(shapes[0] if len(shapes) == 1 else shapes)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        """By default: trace call() symbolically and read the shape off the result."""
        multi = isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (tuple, list))
        specs = [KerasTensor(s) for s in input_shape] if multi else KerasTensor(input_shape)
        out = self._symbolic_outputs(specs, (), {})
        return tracing.map_structure(lambda t: t.shape, out)

    def add_loss(self, loss):
        trace = tracing.current()
        if trace is not None:
            trace.losses.append(loss)

    def add_update(self, variable, value):
        """While training, replace `variable` by `value` after the step (e.g. moving statistics);
        a layer's carried state (a stateful RNN's) is also updated by predict()."""
        trace = tracing.current()
        if trace is not None and (trace.training or trace.carry_states):
            trace.updates[id(variable)] = (variable, value)

    # -- calling ------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        flat = tracing.flatten((inputs, args, kwargs))
        if any(isinstance(t, KerasTensor) for t in flat):
            return self._symbolic_call(inputs, args, kwargs)
        if any(isinstance(t, Value) for t in flat) or tracing.current() is not None:
            return self._traced_call(inputs, args, kwargs)
        return self._eager_call(inputs, args, kwargs)

    def _accepts(self, arg):
        params = inspect.signature(self.call).parameters
        return arg in params or any(p.kind == p.VAR_KEYWORD for p in params.values())

    def _traced_call(self, inputs, args, kwargs):
        trace = tracing.current()
        shapes = [t.shape for t in tracing.flatten(inputs)]
        self._check_input_spec(shapes)
        try:
            self._maybe_build(shapes)
        except (ValueError, TypeError) as e:
            raise type(e)(_in_layer(self, e)) from None
        self._check_input_spec(shapes)
        if "training" in kwargs and kwargs["training"] is None:
            del kwargs["training"]
        if self._accepts("training") and "training" not in kwargs and trace is not None:
            kwargs["training"] = trace.training
        if "training" in kwargs and not self._accepts("training"):
            del kwargs["training"]
        mask = self._incoming_mask(inputs, kwargs, trace)
        try:
            outputs = self.call(inputs, *args, **kwargs)
        except ValueError as e:
            if str(e).startswith(("Layer '", "Input 0 of layer", "Exception encountered")):
                raise
            raise ValueError(_in_layer(self, e)) from None
        if self.activity_regularizer is not None and trace is not None:
            for out in tracing.flatten(outputs):
                trace.losses.append(self.activity_regularizer(out) / _batch_of(out))
        if trace is not None:
            out_mask = self.compute_mask(inputs, mask)
            for out, m in zip(tracing.flatten(outputs), _broadcast_masks(out_mask, outputs)):
                if m is not None:
                    trace.masks[id(out)] = m
        return outputs

    def _incoming_mask(self, inputs, kwargs, trace):
        """The mask(s) riding on the inputs (Keras's _keras_mask), passed to call(mask=...)
        when the layer takes one. An explicit mask= argument wins."""
        if "mask" in kwargs:
            mask = kwargs["mask"]
        elif trace is None:
            return None
        else:
            flat = [trace.masks.get(id(t)) for t in tracing.flatten(inputs)]
            mask = None if all(m is None for m in flat) else (flat[0] if len(flat) == 1 else flat)
        if mask is not None and self._accepts("mask"):
            kwargs["mask"] = mask
        elif "mask" in kwargs and not self._accepts("mask"):
            del kwargs["mask"]
        return mask

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask if the layer supports masking, else none."""
        return mask if self.supports_masking else None

    def _check_input_spec(self, shapes):
        specs = self.input_spec if isinstance(self.input_spec, (list, tuple)) else [self.input_spec]
        for spec, shape in zip(specs, shapes):
            if spec is not None:
                spec.check(self, shape)

    def _symbolic_outputs(self, inputs, args, kwargs):
        graph = Graph(f"{self.name}_shapes")
        trace = tracing.Trace(graph, training=bool(kwargs.get("training", False)))
        with trace.active():
            values = tracing.map_structure(
                lambda t: graph.input(t.shape, t.dtype, t.name or "x") if isinstance(t, KerasTensor) else t,
                (inputs, args, kwargs))
            out = self._traced_call(*values)
        return tracing.map_structure(lambda v: KerasTensor(v.shape, v.dtype), out)

    def _symbolic_call(self, inputs, args, kwargs):
        outputs = self._symbolic_outputs(inputs, args, dict(kwargs))
        node = CallNode(self, inputs, args, kwargs, outputs)
        index = len(self._inbound_nodes)
        self._inbound_nodes.append(node)
        for i, t in enumerate(node.output_tensors):
            t._keras_history = (self, index, i)
            t.name = t.name or f"{self.name}_out_{i}" if len(node.output_tensors) > 1 else self.name
        return outputs

    def _eager_call(self, inputs, args, kwargs):
        from ..programs import compile_eager

        arrays = tracing.map_structure(_as_array, inputs)
        return compile_eager(self, arrays, args, kwargs)

    # -- shapes of the last call --------------------------------------------------------
    @property
    def output(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined output.")
        return self._inbound_nodes[-1].outputs

    @property
    def input(self):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer '{self.name}' has never been called and thus has no defined input.")
        return self._inbound_nodes[-1].inputs

    @property
    def output_shape(self):
        return tracing.map_structure(lambda t: t.shape, self.output)

    @property
    def input_shape(self):
        return tracing.map_structure(lambda t: t.shape, self.input)

    def inbound_layer_names(self):
        if not self._inbound_nodes:
            return []
        names = []
        for t in self._inbound_nodes[-1].input_tensors:
            if t._keras_history is not None:
                layer, node_index, tensor_index = t._keras_history
                names.append(f"{layer.name}[{node_index}][{tensor_index}]")
        return names

    # -- config -------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype.name}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _batch_input_shape(kwargs):
    for key in ("batch_input_shape", "batch_shape"):
        if kwargs.get(key) is not None:
            return tuple(kwargs[key])
    if kwargs.get("input_shape") is not None:
        return (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
    if kwargs.get("input_dim") is not None:
        length = kwargs.get("input_length")
        dims = (length, kwargs["input_dim"]) if length is not None else (kwargs["input_dim"],)
        return (kwargs.get("batch_size"),) + dims
    return None


def _broadcast_masks(mask, outputs):
    n = len(tracing.flatten(outputs))
    if isinstance(mask, (list, tuple)):
        return list(mask) + [None] * (n - len(mask))
    return [mask] * n


def _in_layer(layer, error):
    return f"Exception encountered in layer '{layer.name}' ({type(layer).__name__}): {error}"


def _batch_of(value):
    from .. import ops

    return ops.cast(ops.size(value), value.dtype) / float(np.prod([d for d in value.shape[1:] if d]))


def _as_array(x):
    if isinstance(x, Variable):
        return x.numpy()
    a = np.asarray(x)
    if a.dtype == np.float64:
        a = a.astype(np.float32)
    return a


__all__ = ["InputSpec", "Layer"]
