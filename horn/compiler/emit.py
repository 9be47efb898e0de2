"""Emission: an op graph becomes a standard ONNX ModelProto at horn's one default opset."""

import numpy as np
import onnx
from onnx import helper, numpy_helper

from .ir import Graph, Value

OPSET = 21  # standard ONNX only; IR version 10 is what opset 21 needs and ORT >= 1.16 reads
IR_VERSION = 10
BATCH = "batch"


def _value_info(v: Value, name=None):
    name = name or v.name
    dims = [d if d is not None else BATCH if i == 0 else f"{name}_d{i}" for i, d in enumerate(v.shape)]
    elem = helper.np_dtype_to_tensor_dtype(v.dtype)
    return helper.make_tensor_value_info(name, elem, dims)


def _attr(value):
    if isinstance(value, np.ndarray):
        return numpy_helper.from_array(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


def _initializer(v):
    # np.ascontiguousarray would turn a 0-d constant into shape (1,): copy instead.
    data = v.const if v.const.flags.c_contiguous else v.const.copy()
    return numpy_helper.from_array(data, v.name)


def _rename(nodes, old, new):
    for n in nodes:
        for i, name in enumerate(n.input):
            if name == old:
                n.input[i] = new
        for i, name in enumerate(n.output):
            if name == old:
                n.output[i] = new


def to_onnx(graph: Graph, doc="", producer="horn") -> onnx.ModelProto:
    """Emit `graph`; constants become initializers, dynamic dims become named dims."""
    nodes, inits, seen = [], [], set()
    for node in graph.nodes():
        for v in node.inputs:
            if v is not None and v.const is not None and id(v) not in seen:
                seen.add(id(v))
                inits.append(_initializer(v))
        nodes.append(helper.make_node(
            node.op_type, [v.name if v is not None else "" for v in node.inputs],
            [o.name for o in node.outputs], name=node.name,
            **{k: _attr(a) for k, a in node.attrs.items() if a is not None}))
    outputs, named = [], set()
    input_ids = {id(v) for v in graph.inputs}
    names = graph.output_names or [o.name for o in graph.outputs]
    for o, name in zip(graph.outputs, names):
        if o.const is not None and id(o) not in seen:  # an output folded to a constant
            seen.add(id(o))
            inits.append(_initializer(o))
        if o.name != name:
            if o.producer is None or id(o) in input_ids or id(o) in named:
                # An input, a constant or a value already output under another name.
                nodes.append(helper.make_node("Identity", [o.name], [name], name=f"output_{name}"))
                outputs.append(_value_info(o, name))
                continue
            _rename(nodes, o.name, name)
            o.name = name
        named.add(id(o))
        outputs.append(_value_info(o))
    g = helper.make_graph(nodes, graph.name, [_value_info(v) for v in graph.inputs], outputs, inits)
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name=producer, doc_string=doc)
    model.ir_version = IR_VERSION
    return model
