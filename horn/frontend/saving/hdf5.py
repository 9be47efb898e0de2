"""Keras's HDF5 layout: whole models (`model.save("m.h5")`) and weights (`save_weights`).

Reads files written by Keras 2.x, tf.keras and Keras 3's legacy writer (notes §1.13), and
writes the same layout. Weights are matched to layers by name, then within a layer by
order (trainable, then non-trainable), which is the order all of them write.
"""

import json

import h5py
import numpy as np

from ... import __version__
from ..optimizers.saved_state import restore
from .atomic import atomic_path

_ATTR_LIMIT = 64512  # HDF5 object-header limit; Keras splits longer attributes into chunks


def _write_attr(group, name, values):
    data = np.array([v.encode("utf8") for v in values], dtype="S") if values else np.array([], dtype="S1")
    if data.nbytes <= _ATTR_LIMIT:
        group.attrs[name] = data
        return
    chunks = int(np.ceil(data.nbytes / _ATTR_LIMIT))
    for i, part in enumerate(np.array_split(data, chunks)):
        group.attrs[f"{name}{i}"] = part


def _read_attr(group, name):
    if name in group.attrs:
        values = list(group.attrs[name])
    else:
        values, i = [], 0
        while f"{name}{i}" in group.attrs:
            values += list(group.attrs[f"{name}{i}"])
            i += 1
    return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]


def _json_default(obj):
    if isinstance(obj, (np.integer, np.floating)):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple):
        return list(obj)
    raise TypeError(f"cannot serialize {type(obj).__name__} to JSON")


def write_weights(group, model):
    layers = [layer for layer in model.layers]
    _write_attr(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = b"onnxruntime"
    group.attrs["keras_version"] = f"horn {__version__}".encode()
    for layer in layers:
        g = group.create_group(layer.name)
        weights = stored_order(layer)
        names = [w.name if "/" in w.name else f"{layer.name}/{w.name}" for w in weights]
        _write_attr(g, "weight_names", names)
        for name, w in zip(names, weights):
            data = np.asarray(w.numpy())
            g.create_dataset(name, data=data, shape=data.shape)


def read_weights(group, model, by_name=True, skip_mismatch=False):
    """Assign the weights stored in `group` (a Keras model_weights layout) to model's layers."""
    saved = _read_attr(group, "layer_names")
    stored = {}
    for name in saved:
        g = group[name]
        stored[name] = [np.asarray(g[w]) for w in _read_attr(g, "weight_names")]
    layers = [layer for layer in model.layers if layer.weights]
    if not by_name:  # Keras's default for save_weights files: by position among layers with weights
        with_weights = [stored[n] for n in saved if stored[n]]
        if len(with_weights) != len(layers):
            raise ValueError(f"You are trying to load a weight file containing {len(with_weights)} layers "
                             f"into a model with {len(layers)} layers.")
        pairs = list(zip(layers, with_weights))
    else:
        missing = [layer.name for layer in layers if layer.name not in stored]
        if missing and not skip_mismatch:
            raise ValueError(f"The weight file has no weights for layer(s) {missing}; it holds "
                             f"{[n for n in saved if stored[n]]}")
        pairs = [(layer, stored[layer.name]) for layer in layers if layer.name in stored]
    for layer, values in pairs:
        values = convert_weights(layer, values)
        order = stored_order(layer)
        if len(values) != len(order) or any(np.shape(v) != w.shape for v, w in zip(values, order)):
            if skip_mismatch:
                continue
            raise ValueError(f"Layer '{layer.name}' expects weights of shapes {[w.shape for w in order]}, "
                             f"but the file holds {[np.shape(v) for v in values]}")
        for var, value in zip(order, values):
            var.assign(value)


def stored_order(layer):
    """The order Keras's HDF5 files hold a layer's weights in (Keras 2's `weights`): trainable,
    then non-trainable, across a wrapper's or a nested model's sublayers."""
    return layer.trainable_weights + layer.non_trainable_weights


def convert_weights(layer, values):
    """A layer may convert another Keras version's stored weights (`convert_loaded_weights`).
    Files horn wrote while a stateful layer's states were among its weights hold them last:
    they are dropped (a layer keeps its own states, as with Keras's files)."""
    convert = getattr(layer, "convert_loaded_weights", None)
    values = list(convert(values) if convert is not None else values)
    states = len(layer._weights_and_states()) - len(layer.weights)
    if states and len(values) == len(layer.weights) + states:
        values = values[:-states]
    return values


def save_model(model, filepath, include_optimizer=True):
    from .serialization import serialize_layer

    config = json.dumps(serialize_layer(model), default=_json_default)
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["keras_version"] = f"horn {__version__}".encode()
        f.attrs["backend"] = b"onnxruntime"
        f.attrs["model_config"] = config.encode()
        write_weights(f.create_group("model_weights"), model)
        if include_optimizer and model.optimizer is not None and model._compile_args is not None:
            f.attrs["training_config"] = json.dumps(_training_config(model), default=_json_default).encode()
            write_optimizer_weights(f.create_group("optimizer_weights"), model.optimizer)


def write_optimizer_weights(group, optimizer):
    """Keras's /optimizer_weights: `optimizer.variables`, each stored at its path."""
    variables = optimizer.variables
    _write_attr(group, "weight_names", [v.path for v in variables])
    for v in variables:
        data = np.asarray(v.numpy())
        group.create_dataset(v.path, data=data, shape=data.shape)


def _training_config(model):
    from .. import losses, optimizers
    from .. import metrics as metrics_module

    loss, metrics, loss_weights, weighted_metrics = model._compile_args

    def ser_loss(spec):
        if isinstance(spec, str) or spec is None:
            return spec
        if isinstance(spec, dict):
            return {k: ser_loss(v) for k, v in spec.items()}
        if isinstance(spec, (list, tuple)):
            return [ser_loss(s) for s in spec]
        return losses.serialize(losses.get(spec))

    def ser_metric(m):
        if m is None or isinstance(m, str):
            return m
        if isinstance(m, (list, tuple)):
            return [ser_metric(x) for x in m]
        if isinstance(m, dict):
            return {k: ser_metric(v) for k, v in m.items()}
        if isinstance(m, metrics_module.Metric) and type(m) not in (metrics_module.Metric,
                                                                   metrics_module.MeanMetricWrapper):
            return {"class_name": type(m).__name__, "config": m.get_config()}  # its arguments and name
        return getattr(m, "name", getattr(m, "__name__", str(m)))

    return {"loss": ser_loss(loss), "metrics": ser_metric(metrics), "loss_weights": loss_weights,
            "weighted_metrics": ser_metric(weighted_metrics), "optimizer_config": optimizers.serialize(model.optimizer)}


def load_model(filepath, custom_objects=None, compile=True):
    from .serialization import model_from_config

    with h5py.File(filepath, "r") as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"{filepath!r} holds no model config: it is a weights file; build the model "
                             "and call model.load_weights() instead")
        config = f.attrs["model_config"]
        config = json.loads(config.decode() if isinstance(config, bytes) else config)
        version = f.attrs.get("keras_version", b"")
        version = version.decode() if isinstance(version, bytes) else str(version)
        if version.startswith(("1.", "2.")):
            config = keras2_activations(config)
        model = model_from_config(config, custom_objects)
        read_weights(f["model_weights"], model)
        training = f.attrs.get("training_config")
        saved_optimizer = None
        if "optimizer_weights" in f:
            names = _read_attr(f["optimizer_weights"], "weight_names")
            saved_optimizer = names, [np.asarray(f["optimizer_weights"][n]) for n in names]
    if compile and training is not None:
        compile_from_training_config(model, json.loads(training.decode() if isinstance(training, bytes)
                                                       else training), custom_objects)
        if saved_optimizer is not None:
            names, values = saved_optimizer
            restore(model.optimizer, values, model.trainable_weights, names, written_by_horn=version.startswith("horn"),
                    source=repr(filepath))
    return model


def keras2_activations(config):
    """In Keras 1/2 files 'hard_sigmoid' meant clip(0.2x + 0.5, 0, 1), not Keras 3's relu6(x + 3) / 6."""
    if isinstance(config, dict):
        return {k: "hard_sigmoid_keras2" if k in ("activation", "recurrent_activation") and v == "hard_sigmoid"
                else keras2_activations(v) for k, v in config.items()}
    if isinstance(config, list):
        return [keras2_activations(v) for v in config]
    return config


def compile_from_training_config(model, training, custom_objects=None):
    from .. import optimizers

    opt = dict(training["optimizer_config"])
    opt["class_name"] = opt["class_name"].split(">")[-1]
    try:
        optimizer = optimizers.get(opt)
    except (ValueError, TypeError, NotImplementedError) as e:
        import warnings

        warnings.warn(f"The saved optimizer could not be rebuilt ({e}); the model is compiled with RMSprop.",
                      stacklevel=3)
        optimizer = "rmsprop"
    model.compile(optimizer=optimizer, loss=_loss_spec(training.get("loss"), custom_objects),
                  metrics=training.get("metrics"), loss_weights=training.get("loss_weights"),
                  weighted_metrics=training.get("weighted_metrics"))


def _loss_spec(spec, custom_objects):
    if isinstance(spec, dict) and "class_name" in spec:
        name = spec["class_name"]
        config = {k: v for k, v in spec.get("config", {}).items() if k not in ("fn",)}
        if (custom_objects or {}).get(name):
            return custom_objects[name](**config)
        return {"class_name": name, "config": config}
    if isinstance(spec, dict):
        return {k: _loss_spec(v, custom_objects) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_loss_spec(v, custom_objects) for v in spec]
    return spec


def save_weights(model, filepath):
    """Keras 3's layout for a `.weights.h5` name (the only one Keras 3's save_weights takes),
    Keras 2's (by layer, `layer_names`) otherwise."""
    from .keras_zip import write_model_weights

    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        if str(filepath).endswith(".weights.h5"):
            write_model_weights(f, model)
        else:
            write_weights(f, model)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Keras 2's and Keras 3's legacy layout (by order, or by name), or Keras 3's `.weights.h5`
    layout (by structure: a group per layer, nested as the model nests its layers)."""
    from .keras_zip import read_model_weights

    with h5py.File(filepath, "r") as f:
        if "layers" in f and "layer_names" not in f.attrs and "model_weights" not in f:
            read_model_weights(f, model, repr(str(filepath)))
            return
        group = f["model_weights"] if "layer_names" not in f.attrs and "model_weights" in f else f
        read_weights(group, model, by_name=by_name, skip_mismatch=skip_mismatch)
