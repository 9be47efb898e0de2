"""Model configs (Keras's JSON) to models and back, for Keras 2, Keras 3 and horn's own files.

Keras 2 and Keras 3 write the same idea in different spellings: `batch_input_shape` or
`batch_shape`, a dtype string or a DTypePolicy dict, inbound nodes as nested lists or as
{"args": [{"class_name": "__keras_tensor__", ...}]}. `_clean` maps both onto horn's layer
arguments; anything a horn layer does not accept is an error that names the layer.
"""

import inspect
import re

from .. import layers as layers_module
from ..registry import get_custom_objects

# Config keys Keras writes that carry nothing horn's layers need.
_IGNORED_KEYS = {"ragged", "sparse", "optional", "quantization_config", "lora_rank", "lora_alpha",
                 "module", "registered_name", "shared_object_id", "build_config", "autocast", "time_major",
                 "zero_output_for_mask"}


def _layer_classes():
    table = {name: getattr(layers_module, name) for name in dir(layers_module)
             if isinstance(getattr(layers_module, name), type)}
    from ..models import Model, Sequential

    table.update({"Sequential": Sequential, "Model": Model, "Functional": Model})
    return table


def layer_class(class_name, custom_objects=None):
    name = class_name.split(">")[-1]
    for table in (custom_objects or {}, get_custom_objects(), _layer_classes()):
        if name in table:
            return table[name]
    raise ValueError(f"Unknown layer: '{class_name}'. horn has no layer of that name; if it is your own "
                     "class, pass it with custom_objects={'" + name + "': " + name + "} (or register it with "
                     "horn.utils.get_custom_objects()).")


def _dtype_name(dtype):
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        return dtype.get("config", {}).get("name", "float32")
    return dtype


def _clean(cls, config):
    config = {k: v for k, v in config.items() if k not in _IGNORED_KEYS}
    if "dtype" in config:
        config["dtype"] = _dtype_name(config["dtype"])
    if "batch_shape" in config and cls.__name__ != "InputLayer":
        config["batch_input_shape"] = config.pop("batch_shape")
    for key in ("batch_input_shape", "batch_shape"):
        if config.get(key) is not None:
            config[key] = tuple(config[key])
    if "target_shape" in config:
        config["target_shape"] = tuple(config["target_shape"])
    return config  # nested layers (wrappers, RNN cells) are rebuilt by their owner's from_config


def _keras_op_layer(spec):
    """Keras 3 records the ops it applies to symbolic tensors as layers of their own (module
    keras.src.ops.*): among them the masks it computes while building a model (NotEqual of an
    Embedding(mask_zero=True), LogicalOr of a merge), written as explicit mask= arguments. Each
    becomes an OpLayer calling the horn op of the same name; None when horn has no such op."""
    from .. import ops
    from ..layers.op_layer import OpLayer

    name = re.sub(r"(?<!^)(?=[A-Z])", "_", spec["class_name"]).lower()
    function = getattr(ops, name, None)
    module = spec.get("module")  # Keras 3's legacy HDF5 configs name no module
    if module is not None and not str(module).startswith("keras.src.ops") or not callable(function):
        return None
    config = spec.get("config", {})
    accepted = inspect.signature(function).parameters
    bound = {k: v for k, v in config.items() if k in accepted and v is not None}
    layer_name = config.get("name") or spec.get("name")
    return OpLayer(lambda *args, **kwargs: function(*args, **{**bound, **kwargs}), name=layer_name)


def deserialize_layer(spec, custom_objects=None):
    op_layer = None if _layer_known(spec, custom_objects) else _keras_op_layer(spec)
    if op_layer is not None:
        return op_layer
    cls = layer_class(spec["class_name"], custom_objects)
    config = _clean(cls, spec.get("config", {}))
    if cls.__name__ in ("Sequential", "Model"):
        return model_from_config(spec, custom_objects)
    try:
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            return cls.from_config(config, custom_objects=custom_objects)
        return cls.from_config(config)
    except TypeError as e:
        raise TypeError(f"Could not rebuild layer '{config.get('name')}' ({spec['class_name']}) from its "
                        f"config: {e}") from None


def _layer_known(spec, custom_objects):
    try:
        layer_class(spec["class_name"], custom_objects)
        return True
    except ValueError:
        return False


def serialize_layer(layer):
    config = layer.get_config()
    return {"class_name": type(layer).__name__, "config": config}


# -- models -------------------------------------------------------------------------------
def model_from_config(spec, custom_objects=None):
    """A Sequential or functional model from {'class_name', 'config'} (any Keras version)."""
    from ..models import Model, Sequential

    class_name = spec["class_name"] if isinstance(spec, dict) else "Sequential"
    config = spec.get("config", spec) if isinstance(spec, dict) else {"layers": spec}
    if isinstance(config, list):  # Keras <= 2.2.2 wrote a Sequential as a bare list of layers
        config = {"layers": config}
    if class_name == "Sequential":
        model = Sequential(name=config.get("name"))
        for layer_spec in config["layers"]:
            model.add(deserialize_layer(layer_spec, custom_objects), rebuild=False)
        if model._input_layer is None and config.get("build_input_shape"):
            model._input_layer = layers_module.InputLayer(
                batch_input_shape=tuple(config["build_input_shape"]), name=f"{model.name}_input")
        model._rebuild()
        return model
    if class_name not in ("Model", "Functional"):
        return layer_class(class_name, custom_objects).from_config(config)
    return _functional_from_config(Model, config, custom_objects)


def _inbound_calls(layer_spec):
    """Each call of a layer as (the (layer name, node index, tensor index) of every tensor it
    reads, args, kwargs), the tensors in args and kwargs still written as references."""
    calls = []
    for node in layer_spec.get("inbound_nodes", []):
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}, tensors in place
            args, kwargs = list(node.get("args", [])), dict(node.get("kwargs", {}))
            refs = [tuple(t["config"]["keras_history"][:3]) for t in _keras_tensors([args, kwargs])]
        else:  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]; several: one list input
            refs = [(e[0], e[1], e[2]) for e in node]
            kwargs = dict(node[0][3]) if node and len(node[0]) > 3 else {}
            args = [[_tensor_ref(r) for r in refs] if len(refs) > 1 else _tensor_ref(refs[0])]
        calls.append((refs, args, kwargs))
    return calls


def _tensor_ref(r):
    return {"class_name": "__keras_tensor__", "config": {"keras_history": list(r)}}


def _is_tensor_ref(x):
    return isinstance(x, dict) and x.get("class_name") == "__keras_tensor__"


def _keras_tensors(struct):
    if _is_tensor_ref(struct):
        return [struct]
    if isinstance(struct, (list, tuple)):
        return [t for s in struct for t in _keras_tensors(s)]
    if isinstance(struct, dict):
        return [t for v in struct.values() for t in _keras_tensors(v)]
    return []


def _with_tensors(struct, lookup):
    """struct with each tensor reference replaced by the tensor it names."""
    if _is_tensor_ref(struct):
        return lookup(tuple(struct["config"]["keras_history"][:3]))
    if isinstance(struct, (list, tuple)):
        return [_with_tensors(s, lookup) for s in struct]
    if isinstance(struct, dict):
        return {k: _with_tensors(v, lookup) for k, v in struct.items()}
    return struct


def _functional_from_config(model_cls, config, custom_objects):
    layers, outputs_of = {}, {}  # name -> layer; (name, node index) -> output tensors
    pending = []
    for layer_spec in config["layers"]:
        layer = deserialize_layer(layer_spec, custom_objects)
        layers[layer_spec.get("name", layer.name)] = layer
        if type(layer).__name__ == "InputLayer":
            outputs_of[(layer_spec.get("name", layer.name), 0)] = [layer.output]
        else:
            pending += [(layer_spec.get("name", layer.name), layer, i, call)
                        for i, call in enumerate(_inbound_calls(layer_spec))]
    while pending:
        progressed = False
        for item in list(pending):
            name, layer, index, (refs, args, kwargs) = item
            if all((r[0], r[1]) in outputs_of for r in refs):
                def tensor(r):
                    return outputs_of[(r[0], r[1])][r[2]]
                args, kwargs = _with_tensors(args, tensor), _with_tensors(kwargs, tensor)
                if kwargs.get("mask") is None:  # Keras 3 writes the automatic mask as None
                    kwargs.pop("mask", None)
                out = layer(*args, **kwargs)
                outputs_of[(name, index)] = out if isinstance(out, (list, tuple)) else [out]
                pending.remove(item)
                progressed = True
        if not progressed:
            names = sorted({p[0] for p in pending})
            raise ValueError(f"Could not rebuild the functional model: the inputs of layer(s) {names} "
                             "are never produced")

    def ref(r):
        return outputs_of[(r[0], r[1])][r[2]]

    inputs = [ref(r) for r in _refs(config["input_layers"])]
    outputs = [ref(r) for r in _refs(config["output_layers"])]
    return model_cls(inputs if len(inputs) > 1 else inputs[0], outputs if len(outputs) > 1 else outputs[0],
                     name=config.get("name"))


def _refs(spec):
    if spec and isinstance(spec[0], str):  # a single [name, node, tensor]
        return [tuple(spec)]
    return [tuple(r) for r in spec]
