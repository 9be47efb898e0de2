"""Keras 3's native `.keras` files: a zip of config.json, metadata.json and model.weights.h5."""

import datetime
import io
import json
import zipfile

import h5py
import numpy as np

from ... import __version__
from ..optimizers.saved_state import restore
from .atomic import atomic_path
from .hdf5 import _json_default, compile_from_training_config, convert_weights


def _ordered_vars(group):
    """A layer group's arrays: its own vars/0, vars/1, ... then its sublayers', depth first."""
    values = []
    if "vars" in group:
        keys = sorted(group["vars"].keys(), key=lambda k: int(k) if k.isdigit() else k)
        values += [np.asarray(group["vars"][k]) for k in keys]
    for key in sorted(k for k in group.keys() if k != "vars"):
        if isinstance(group[key], h5py.Group):
            values += _ordered_vars(group[key])
    return values


def _layer_groups(weights):
    """{layer name: group}, using each group's recorded name where Keras wrote one."""
    found = {}
    if "layers" not in weights:
        return found
    for key, group in weights["layers"].items():
        name = group["vars"].attrs.get("name", key) if "vars" in group else key
        found[name.decode() if isinstance(name, bytes) else name] = group
        found.setdefault(key, group)
    return found


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from .serialization import model_from_config

    with zipfile.ZipFile(filepath) as z:
        config = json.loads(z.read("config.json"))
        metadata = json.loads(z.read("metadata.json")) if "metadata.json" in z.namelist() else {}
        if safe_mode and "__lambda__" in json.dumps(config):
            raise ValueError("This .keras file contains a Lambda layer's code; loading it would run that "
                             "code. Pass safe_mode=False only if you trust the file.")
        model = model_from_config(config, custom_objects)
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as weights:
            groups = _layer_groups(weights)
            for layer in model.layers:
                if not layer.weights:
                    continue
                if layer.name not in groups:
                    raise ValueError(f"{filepath!r} has no weights for layer '{layer.name}'")
                layer.set_weights(convert_weights(layer, _ordered_vars(groups[layer.name])))
            saved_optimizer = _ordered_vars(weights["optimizer"]) if "optimizer" in weights else None
    training = config.get("compile_config")
    if compile and training and (training.get("optimizer") or training.get("loss")):
        opt = training.get("optimizer") or "rmsprop"
        training = {"optimizer_config": opt if isinstance(opt, dict) else {"class_name": opt, "config": {}},
                    "loss": training.get("loss"), "metrics": training.get("metrics"),
                    "loss_weights": training.get("loss_weights")}
        compile_from_training_config(model, training, custom_objects)
        if saved_optimizer:
            written_by_horn = str(metadata.get("keras_version", "")).startswith("horn")
            restore(model.optimizer, saved_optimizer, model.trainable_weights, written_by_horn=written_by_horn,
                    source=repr(filepath))
    return model


def save_model(model, filepath):
    from .serialization import serialize_layer

    config = serialize_layer(model)
    if model.optimizer is not None and model._compile_args is not None:
        from .hdf5 import _training_config

        training = _training_config(model)
        config["compile_config"] = {"optimizer": training["optimizer_config"], "loss": training["loss"],
                                    "metrics": training["metrics"], "loss_weights": training["loss_weights"]}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        layers = f.create_group("layers")
        for layer in model.layers:
            group = layers.create_group(layer.name).create_group("vars")
            group.attrs["name"] = layer.name
            for i, w in enumerate(layer.weights):
                group.create_dataset(str(i), data=np.asarray(w.numpy()))
        f.create_group("vars").attrs["name"] = model.name
        if model.optimizer is not None and model._compile_args is not None:
            group = f.create_group("optimizer").create_group("vars")
            group.attrs["name"] = model.optimizer.name
            for i, v in enumerate(model.optimizer.variables):
                group.create_dataset(str(i), data=np.asarray(v.numpy()))
    metadata = {"keras_version": f"horn {__version__}", "date_saved": datetime.datetime.now().isoformat()}
    with atomic_path(filepath) as tmp, zipfile.ZipFile(tmp, "w") as z:
        z.writestr("metadata.json", json.dumps(metadata))
        z.writestr("config.json", json.dumps(config, default=_json_default))
        z.writestr("model.weights.h5", buffer.getvalue())

