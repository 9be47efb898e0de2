"""Emission: an op graph becomes a standard ONNX ModelProto at horn's one default opset."""

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .ir import Graph, Value

OPSET = 21  # standard ONNX only; IR version 10 is what opset 21 needs and ORT >= 1.16 reads
IR_VERSION = 10
BATCH = "batch"


def _value_info(v: Value, name=None, symbolic=True):
    name = name or v.name
    if symbolic:
        dims = [d if d is not None else BATCH if i == 0 else f"{name}_d{i}" for i, d in enumerate(v.shape)]
    else:  # inside a loop body: dynamic dims stay unnamed
        dims = list(v.shape)
    elem = helper.np_dtype_to_tensor_dtype(v.dtype)
    return helper.make_tensor_value_info(name, elem, dims)


def _initializer(v):
    # np.ascontiguousarray would turn a 0-d constant into shape (1,): copy instead.
    data = v.const if v.const.flags.c_contiguous else v.const.copy()
    return numpy_helper.from_array(data, v.name)


def _node_proto(node):
    """A NodeProto; a body graph attribute becomes a subgraph, and the values the body
    captures (the node's last inputs) are left to ONNX's outer-scope references."""
    from .opdef import OPS

    private = OPS[node.op_type].private
    attrs, inputs = {}, list(node.inputs)
    for key, a in node.attrs.items():
        if a is None or key in private or (isinstance(a, (list, tuple)) and not a):
            continue  # (an empty list has no ONNX type: omitted, it means the same)
        if isinstance(a, Graph):
            inputs = inputs[:len(inputs) - len(a.captures)]
            attrs[key] = _graph_proto(a, [v.name for v in node.inputs[len(inputs):]])
        elif isinstance(a, np.ndarray):
            attrs[key] = numpy_helper.from_array(a)
        elif isinstance(a, (np.integer, np.floating)):
            attrs[key] = a.item()
        else:
            attrs[key] = a
    return helper.make_node(node.op_type, [v.name if v is not None else "" for v in inputs],
                            [o.name for o in node.outputs], name=node.name, **attrs)


def _graph_proto(graph, captured_names=None):
    """The GraphProto of `graph`; for a loop body, `captured_names` are the names of the
    enclosing graph's values its capture placeholders stand for."""
    body = graph.parent is not None
    if body:  # placeholders take the outer values' names: the body reads them from there
        for (_, placeholder), name in zip(graph.captures, captured_names):
            placeholder.name = name
    inputs = {id(v) for v in graph.inputs} | {id(p) for _, p in graph.captures}
    # Each output: emitted under its own name where possible, else through an Identity (an
    # input, a constant, a value output twice; in a body, whose outputs are positional, any
    # value not computed by the body itself).
    names = graph.output_names or [o.name for o in graph.outputs]
    if body:
        names = [f"{graph.prefix}out{k}" for k in range(len(graph.outputs))]
    direct, plan = set(), []
    for o, name in zip(graph.outputs, names):
        own = o.producer is not None and id(o) not in inputs and id(o) not in direct
        if own and (body or o.name == name or o.name not in names):
            if not body:
                o.name = name
            direct.add(id(o))
            plan.append((o, o.name, False))
        else:
            plan.append((o, name, True))
    nodes, inits, seen = [], [], set()
    for node in graph.nodes():
        for v in node.inputs:
            if v is not None and v.const is not None and id(v) not in seen:
                seen.add(id(v))
                inits.append(_initializer(v))
        nodes.append(_node_proto(node))
    outputs = []
    for o, name, via_identity in plan:
        if o.const is not None and id(o) not in seen:  # an output folded to a constant
            seen.add(id(o))
            inits.append(_initializer(o))
        if via_identity and name != o.name:
            nodes.append(helper.make_node("Identity", [o.name], [name], name=f"output_{name}"))
        outputs.append(_value_info(o, name, symbolic=not body))
    return helper.make_graph(nodes, graph.name, [_value_info(v, symbolic=not body) for v in graph.inputs],
                             outputs, inits)


def to_onnx(graph: Graph, doc="", producer="horn") -> onnx.ModelProto:
    """Emit `graph`; constants become initializers, dynamic dims become named dims."""
    model = helper.make_model(_graph_proto(graph), opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=producer, doc_string=doc)
    model.ir_version = IR_VERSION
    return model
