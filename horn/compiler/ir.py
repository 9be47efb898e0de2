"""The op graph: values, nodes, and the graph that holds them (on networkx).

A `Value` is a tensor in a graph: a static shape (`None` for the batch axis or another
dynamic axis), a numpy dtype, and either the node that produces it or a compile-time
constant. A `Node` is one ONNX op with its attributes. `apply` is the single entry point
that creates computation: on symbolic values it adds a node to the graph being built, on
plain numpy arrays it runs the op's numpy reference at once (eager mode).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools

import networkx as nx
import numpy as np

_building: contextvars.ContextVar[Graph | None] = contextvars.ContextVar("horn_graph", default=None)


class Arithmetic:
    """Python operators for tensors (graph values, variables): `x * w + b` builds ops."""

    __slots__ = ()
    __array_priority__ = 1000  # numpy defers to these operators: array + value -> op

    def __add__(self, o): return apply("Add", self, o)
    def __radd__(self, o): return apply("Add", o, self)
    def __sub__(self, o): return apply("Sub", self, o)
    def __rsub__(self, o): return apply("Sub", o, self)
    def __mul__(self, o): return apply("Mul", self, o)
    def __rmul__(self, o): return apply("Mul", o, self)
    def __truediv__(self, o): return apply("Div", self, o)
    def __rtruediv__(self, o): return apply("Div", o, self)
    def __matmul__(self, o): return apply("MatMul", self, o)
    def __rmatmul__(self, o): return apply("MatMul", o, self)
    def __neg__(self): return apply("Neg", self)
    def __pow__(self, o): return apply("Pow", self, o)


class Value(Arithmetic):
    """A tensor of an op graph (symbolic, or a compile-time constant)."""

    __slots__ = ("graph", "shape", "dtype", "producer", "index", "name", "const", "hint")
    def __init__(self, graph, shape, dtype, producer=None, index=0, name=None, const=None):
        self.graph = graph
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype)
        self.producer = producer
        self.index = index
        self.name = name
        self.const = const
        # For int64 shape-like tensors: the (partially known) dims they hold, so that
        # ops such as Expand(x, Shape(y)) keep static shapes where they are known.
        self.hint = None

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        kind = "const" if self.const is not None else (self.producer.op_type if self.producer else "input")
        return f"<Value {self.name} {self.shape} {self.dtype} from {kind}>"

class Node:
    """One ONNX op: type, input values (None for an omitted optional input), attributes."""

    __slots__ = ("op_type", "inputs", "outputs", "attrs", "name", "seq")

    def __init__(self, op_type, inputs, attrs, name, seq=0):
        self.seq = seq
        self.op_type = op_type
        self.inputs = list(inputs)
        self.outputs = []
        self.attrs = dict(attrs)
        self.name = name

    @property
    def out(self):
        return self.outputs[0]

    def __repr__(self):
        ins = ", ".join(v.name if v is not None else "-" for v in self.inputs)
        return f"<Node {self.name}: {self.op_type}({ins}) {self.attrs or ''}>"


class Graph:
    """Nodes in a networkx DiGraph (edges producer -> consumer), plus inputs and outputs."""

    def __init__(self, name="graph", parent=None):
        self.name = name
        self.nx = nx.DiGraph()
        self.inputs: list[Value] = []
        self.outputs: list[Value] = []
        self.output_names: list[str] | None = None  # names to emit the outputs under
        self._ids = itertools.count()
        # Called to turn a frontend Variable into a Value of this graph (set by programs).
        self.resolve_variable = None
        # A loop body (Scan's) is a graph inside another: it reads the enclosing graph's values
        # through capture placeholders (ONNX's outer-scope references), listed in `captures`
        # as (outer value, placeholder); the node running the body takes the outer values as
        # extra inputs, so that passes over the enclosing graph see what the body reads.
        self.parent = parent
        self.depth = 0 if parent is None else parent.depth + 1
        self.prefix = "" if parent is None else f"{name}/"
        self.captures: list[tuple[Value, Value]] = []
        self._captured: dict[int, Value] = {}
        if parent is not None:
            self.resolve_variable = lambda var: self.capture(to_value(parent, var))

    # -- construction ---------------------------------------------------------------
    def unique(self, hint):
        return f"{self.prefix}{hint}_{next(self._ids)}"

    def input(self, shape, dtype, name):
        if self.parent is not None and not name.startswith(self.prefix):
            name = self.prefix + name  # a body's names must not shadow its enclosing graph's
        v = Value(self, shape, dtype, name=name)
        self.inputs.append(v)
        return v

    def constant(self, array, name=None):
        array = np.asarray(array)
        return Value(self, array.shape, array.dtype, name=name or self.unique("const"), const=array)

    def add(self, op_type, inputs, attrs, specs):
        seq = next(self._ids)
        node = Node(op_type, inputs, attrs, f"{self.prefix}{op_type}_{seq}", seq)
        for i, (shape, dtype) in enumerate(specs):
            node.outputs.append(Value(self, shape, dtype, node, i, f"{node.name}_o{i}"))
        self.nx.add_node(node)
        for v in node.inputs:
            if v is not None and v.producer is not None:
                self.nx.add_edge(v.producer, node)
        return node

    def capture(self, value):
        """The placeholder standing for `value` of an enclosing graph inside this body (small
        constants are copied in instead, so that they fold with the body's ops)."""
        if value.graph is self:
            return value
        if value.const is not None and value.const.size <= 16:
            return self.constant(value.const)
        placeholder = self._captured.get(id(value))
        if placeholder is None:
            if self.parent is None:
                raise ValueError(f"{value.name} belongs to another graph; tensors from different traces "
                                 f"can't mix")
            outer = value if value.graph is self.parent else self.parent.capture(value)
            placeholder = self._add_capture(outer)
            self._captured[id(value)] = placeholder
        return placeholder

    def _add_capture(self, outer):
        """A new placeholder standing for `outer`, a value of the parent graph."""
        placeholder = Value(self, outer.shape, outer.dtype, name=self.unique("outer"))
        self.captures.append((outer, placeholder))
        self._captured[id(outer)] = placeholder
        return placeholder

    def read_ids(self):
        """The ids of the values this graph's nodes read or its outputs are."""
        return {id(v) for n in self.nx for v in n.inputs if v is not None} | {id(o) for o in self.outputs}

    def drop_unread_captures(self):
        """Forget the captures no node or output reads any more; returns the positions (in the
        old `captures`) of those kept, for the node running the body to keep the same inputs."""
        read = self.read_ids()
        kept = [k for k, (_, p) in enumerate(self.captures) if id(p) in read]
        self.captures = [self.captures[k] for k in kept]
        self._captured = {key: p for key, p in self._captured.items() if id(p) in read}
        return kept

    @contextlib.contextmanager
    def building(self):
        """Within this block, ops on constants and variables land in this graph."""
        token = _building.set(self)
        try:
            yield self
        finally:
            _building.reset(token)

    # -- queries --------------------------------------------------------------------
    def nodes(self):
        """Nodes in a topological order (ties broken by creation order, so it is stable)."""
        return list(nx.lexicographical_topological_sort(self.nx, key=lambda n: n.seq))

    def consumers(self, value):
        if value.producer is None:
            return [n for n in self.nx if any(i is value for i in n.inputs)]
        return [n for n in self.nx.successors(value.producer) if any(i is value for i in n.inputs)]

    # -- rewriting ------------------------------------------------------------------
    def replace_uses(self, old, new):
        """Make every consumer of `old` (and the graph outputs) read `new` instead."""
        for node in self.consumers(old):
            node.inputs = [new if i is old else i for i in node.inputs]
            if old.producer is not None and not any(
                i is not None and i.producer is old.producer for i in node.inputs
            ):
                self.nx.remove_edge(old.producer, node)
            if new.producer is not None:
                self.nx.add_edge(new.producer, node)
        self.outputs = [new if o is old else o for o in self.outputs]

    def remove(self, node):
        self.nx.remove_node(node)

    def verify(self):
        """Check the graph's invariants; raise ValueError naming the first bad node."""
        known = {id(v) for v in self.inputs} | {id(p) for _, p in self.captures}
        for node in self.nodes():
            for v in node.inputs:
                if v is None or v.const is not None:
                    continue
                if id(v) not in known:
                    raise ValueError(f"{node} reads {v.name}, which no earlier node or input produces")
                if v.producer is not None and not self.nx.has_edge(v.producer, node):
                    raise ValueError(f"{node} reads {v.name} but has no edge from its producer")
            for o in node.outputs:
                known.add(id(o))
        for o in self.outputs:
            if o.const is None and id(o) not in known:
                raise ValueError(f"graph output {o.name} is not produced by the graph")
        return self


def current_graph():
    return _building.get()


def _graph_of(args):
    """The graph an op on `args` lands in: the innermost one among its values' graphs and the
    graph being built (a loop body reads its enclosing graphs' values through captures)."""
    graphs = [a.graph for a in args if isinstance(a, Value)]
    building = _building.get()
    if building is not None and (not graphs or building.depth > 0):
        graphs.append(building)
    return max(graphs, key=lambda g: g.depth) if graphs else None


def to_value(graph, x, like=None):
    """Turn x (a Value, a frontend Variable, a number or an array) into a Value of graph."""
    if isinstance(x, Value):
        if x.graph is not graph:
            return graph.capture(x)  # an enclosing graph's value read by a loop body
        return x
    if getattr(x, "_horn_variable", False):
        if graph.resolve_variable is None:
            return graph.constant(x.numpy(), name=graph.unique(x.name.replace("/", "_")))
        return graph.resolve_variable(x)
    if isinstance(x, (bool, int, float, np.number)) and not isinstance(x, np.ndarray):
        dtype = like.dtype if like is not None else np.float32
        return graph.constant(np.asarray(x, dtype=dtype))
    return graph.constant(np.asarray(x))


def apply(op_type, *inputs, **attrs):
    """Create one `op_type` node (or run it eagerly on numpy) and return its output(s)."""
    from .opdef import OPS

    opdef = OPS.get(op_type)
    if opdef is None:
        raise NotImplementedError(f"horn has no op {op_type!r}")
    graph = _graph_of(inputs)
    if graph is None:
        arrays = [None if x is None else _to_numpy(x) for x in inputs]
        like = next((a for a in arrays if a is not None and a.ndim and a.dtype.kind == "f"), None)
        if like is not None:  # Python numbers take the array's dtype, as they do in graphs
            arrays = [a.astype(like.dtype) if _is_number(x) else a for a, x in zip(arrays, inputs)]
        return opdef.reference(*arrays, **{**opdef.defaults, **attrs})
    like = next((x for x in inputs if isinstance(x, Value) and x.dtype.kind == "f"), None)
    like = like or next((x for x in inputs if isinstance(x, Value)), None)
    values = [None if x is None else to_value(graph, x, like) for x in inputs]
    attrs = {**opdef.defaults, **attrs}
    specs = opdef.infer(values, attrs)
    node = graph.add(op_type, values, attrs, specs)
    if opdef.hint is not None:
        node.outputs[0].hint = opdef.hint(values, attrs)
    return node.outputs[0] if len(node.outputs) == 1 else tuple(node.outputs)


def _is_number(x):
    return isinstance(x, (bool, int, float))


def _to_numpy(x):
    if getattr(x, "_horn_variable", False):
        return x.numpy()
    if isinstance(x, (bool, int, float)):
        return np.asarray(x, dtype=np.float32 if isinstance(x, float) else None)
    return np.asarray(x)


def inline(source, target, mapping, env=None):
    """Copy `source`'s nodes into `target`, reading mapping[id(v)] (a Value of target) for each
    of source's inputs and capture placeholders; returns target's values for source's outputs.
    `env`, if given, receives id(source value) -> its copy for every value."""
    env = {} if env is None else env
    env.update(mapping)

    def read(v):
        if v is None:
            return None
        if v.const is not None:
            return env.setdefault(id(v), target.constant(v.const))
        return env[id(v)]

    for node in source.nodes():
        inputs, attrs = [read(v) for v in node.inputs], dict(node.attrs)
        for key, a in attrs.items():
            if isinstance(a, Graph):  # a loop's body: its own copy, capturing the copied values
                attrs[key] = _clone_body(a, target, inputs[len(inputs) - len(a.captures):])
        copy = target.add(node.op_type, inputs, attrs, [(o.shape, o.dtype) for o in node.outputs])
        for o, c in zip(node.outputs, copy.outputs):
            c.hint = o.hint
            env[id(o)] = c
    return [read(o) for o in source.outputs]


_clones = itertools.count()


def _clone_body(body, parent, captured):
    """A copy of loop body `body` inside `parent`, its captures standing for `captured` (values
    of parent, in the order of body.captures)."""
    clone = Graph(f"{body.name}_c{next(_clones)}", parent=parent)
    mapping = {id(v): clone.input(v.shape, v.dtype, clone.unique("in")) for v in body.inputs}
    for (_, placeholder), outer in zip(body.captures, captured):
        mapping[id(placeholder)] = clone._add_capture(outer)
    clone.outputs = inline(body, clone, mapping)
    return clone
