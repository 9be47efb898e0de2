"""Model: a graph of layer calls from inputs to outputs (the functional API).

The layer graph is a networkx DiGraph whose nodes are layer calls (`CallNode`s) and whose
edges are the KerasTensors between them. Running the model runs each call in topological
order on whatever the inputs are: graph values while horn compiles a program.
"""

import networkx as nx

from .. import tracing
from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor
from ..layers.layer import Layer
from .training import Trainer


class Model(Trainer, Layer):
    """`Model(inputs, outputs)`: a functional model (inputs/outputs are KerasTensors)."""

    def __init__(self, inputs=None, outputs=None, name=None, **kwargs):
        inputs = kwargs.pop("input", inputs)
        outputs = kwargs.pop("output", outputs)
        trainable = kwargs.pop("trainable", True)
        Layer.__init__(self, name=name, trainable=trainable, **kwargs)
        self._init_training()
        self._inputs_struct = self._outputs_struct = None
        self.inputs, self.outputs, self._nodes, self._layers = [], [], [], []
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("Model(inputs, outputs) needs both inputs and outputs")
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        for t in tracing.flatten(inputs) + tracing.flatten(outputs):
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model inputs and outputs must be tensors made by Input() and layer calls, "
                                f"got {type(t).__name__}")
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self.inputs, self.outputs = tracing.flatten(inputs), tracing.flatten(outputs)
        graph = nx.DiGraph()
        stack = [t._keras_history for t in self.outputs]
        seen = set()
        while stack:
            layer, index, _ = stack.pop()
            node = layer._inbound_nodes[index]
            if id(node) in seen:
                continue
            seen.add(id(node))
            graph.add_node(node)
            for parent_layer, parent_index, _ in node.parents:
                parent = parent_layer._inbound_nodes[parent_index]
                graph.add_edge(parent, node)
                stack.append((parent_layer, parent_index, 0))
        input_ids = {id(t) for t in self.inputs}
        for node in graph:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in input_ids:
                raise ValueError(f"Graph disconnected: output tensors need input '{node.layer.name}', "
                                 "which is not among the model's inputs")
        order = {id(n): i for i, n in enumerate(graph)}
        self._nodes = list(nx.lexicographical_topological_sort(graph, key=lambda n: order[id(n)]))
        self._layers = _layers_in_keras_order(self.outputs, self._nodes)
        self.built = True

    @property
    def layers(self):
        """The model's layers (not the keras.ops applied between them, as in Keras 3)."""
        from ..layers.op_layer import OpLayer

        return [layer for layer in self._layers if not isinstance(layer, OpLayer)]

    @property
    def input(self):
        if self._inputs_struct is None:
            raise AttributeError(f"Model '{self.name}' is not built yet and has no input")
        return self._inputs_struct

    @property
    def output(self):
        if self._outputs_struct is None:
            raise AttributeError(f"Model '{self.name}' is not built yet and has no output")
        return self._outputs_struct

    def _sublayers(self):
        return self.layers

    @property
    def input_names(self):
        return [t._keras_history[0].name for t in self.inputs]

    @property
    def output_names(self):
        names = [t._keras_history[0].name for t in self.outputs]
        return [n if names.count(n) == 1 else f"{n}_{i}" for i, n in enumerate(names)]

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: {[l.name for l in self.layers]}")

    def reset_states(self):
        """Clear the states of the stateful layers (stateful RNNs), as Keras's model.reset_states()."""
        for layer in self.layers:
            fn = getattr(layer, "reset_states", None)
            if callable(fn):
                fn()

    reset_state = reset_states

    def call(self, inputs, training=None):
        """Run every layer call in order; `inputs` match the model's inputs (one, a list or a dict)."""
        if isinstance(inputs, dict):
            flat = [inputs[n] for n in self.input_names]
        else:
            flat = tracing.flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s), but it received "
                             f"{len(flat)} input tensors")
        values = {id(t): v for t, v in zip(self.inputs, flat)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = tracing.map_structure(
                lambda t: values[id(t)] if isinstance(t, KerasTensor) else t,
                (node.inputs, node.args, dict(node.kwargs)))
            kwargs = args[2]
            if training is not None:
                kwargs.setdefault("training", training)
            out = node.layer(args[0], *args[1], **kwargs)
            for t, v in zip(node.output_tensors, tracing.flatten(out)):
                values[id(t)] = v
        return tracing.map_structure(lambda t: values[id(t)], self._outputs_struct)

    def compute_output_shape(self, input_shape):
        return tracing.map_structure(lambda t: t.shape, self._outputs_struct)

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        from .summary import print_summary

        if not self.built:
            raise ValueError(f"Model '{self.name}' has not been built yet, so it has no summary. Build it by "
                             "giving its first layer an input shape (input_shape=/input_dim=), by calling "
                             "build(input_shape), or by calling it on data.")
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from get_config() (Keras's `Model.from_config(model.get_config())`): a
        functional graph is rebuilt layer by layer; a subclassed model gets its own arguments."""
        if isinstance(config, dict) and "layers" in config and "input_layers" in config:
            from ..saving.serialization import _functional_from_config

            return _functional_from_config(Model, config, custom_objects)
        return super().from_config(config)

    def get_config(self):
        layers = []
        for layer in self._layers:  # the ops between layers too: their configs refuse to be written
            inbound = []
            for node in layer._inbound_nodes:
                if any(n is node for n in self._nodes) and node.input_tensors:
                    inbound.append(_node_config(node))
            layers.append({"class_name": type(layer).__name__, "config": layer.get_config(),
                           "name": layer.name, "inbound_nodes": inbound})
        ref = lambda t: [t._keras_history[0].name, t._keras_history[1], t._keras_history[2]]  # noqa: E731
        return {"name": self.name, "layers": layers, "input_layers": [ref(t) for t in self.inputs],
                "output_layers": [ref(t) for t in self.outputs]}


def _node_config(node):
    """How a call is written in a config: Keras 2's list of input references when the tensors are
    all in the first argument, else Keras 3's {"args", "kwargs"} with each tensor a reference
    in its place (an RNN's initial_state=[h, c], an explicit mask=)."""
    def ref(t):
        return [t._keras_history[0].name, t._keras_history[1], t._keras_history[2]]

    extra = tracing.flatten((node.args, node.kwargs))
    if not any(isinstance(t, KerasTensor) for t in extra):
        return [ref(t) + [{}] for t in node.input_tensors]

    def encode(x):
        if isinstance(x, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": str(x.dtype), "keras_history": ref(x)}}
        return x

    return {"args": tracing.map_structure(encode, [node.inputs, *node.args]),
            "kwargs": tracing.map_structure(encode, dict(node.kwargs))}


def _layers_in_keras_order(outputs, nodes):
    """The layers as Keras 3 lists them (and so orders the weights): by depth, the number of
    calls between a layer and the outputs, deepest (the inputs) first; layers at one depth in
    the order a depth-first walk from the outputs, through each call's inputs in order, first
    reaches them."""
    in_graph = {id(n) for n in nodes}
    first_seen, post_order, done = {}, [], set()
    for t in outputs:  # depth first with a stack (a deep model would exhaust Python's recursion)
        layer, index, _ = t._keras_history
        stack = [(layer._inbound_nodes[index], None)]
        while stack:
            node, parents = stack.pop()
            if parents is None:  # first visit
                if id(node) in done or id(node) not in in_graph:
                    continue
                done.add(id(node))
                first_seen.setdefault(node.layer, len(first_seen))
                parents = iter(node.parents)
            parent = next(parents, None)
            if parent is None:
                post_order.append(node)
                continue
            stack.append((node, parents))
            stack.append((parent[0]._inbound_nodes[parent[1]], None))
    node_depth, layer_depth = {}, {}
    for node in reversed(post_order):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[id(node)] = depth
        for layer, index, _ in node.parents:
            parent = layer._inbound_nodes[index]
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    return sorted(layer_depth, key=lambda layer: (-layer_depth[layer], first_seen[layer]))
