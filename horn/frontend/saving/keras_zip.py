"""Keras 3's native `.keras` files: a zip of config.json, metadata.json and model.weights.h5."""

import datetime
import io
import json
import re
import zipfile

import h5py
import numpy as np

from ... import __version__
from ..layers.layer import Layer
from ..optimizers.saved_state import restore
from .atomic import atomic_path
from .hdf5 import _json_default, compile_from_training_config, convert_weights, stored_order
from .safe_mode import code_allowed


def _ordered_vars(group):
    """A group's own arrays, vars/0, vars/1, ... (an optimizer's, or a layer's in a flat horn file)."""
    if group is None or "vars" not in group:
        return []
    keys = sorted(group["vars"].keys(), key=lambda k: int(k) if k.isdigit() else k)
    return [np.asarray(group["vars"][k]) for k in keys]


# Keras 3's weights layout: Keras walks each object and writes `<path>/vars/0, 1, ...` for its own
# variables (trainable, then non-trainable; the group's `name` attribute is the layer's name). A
# child object lives at `<path>/<attribute>` (forward_layer, backward_layer, cell, layer); a
# model's layers and the items of a list attribute (StackedRNNCells' cells) at
# `<path>/<attribute>/<key>`, with keys made from class names in list order (dense, dense_1, ...,
# dense_10), not from layer names. An object met twice is written once, where the walk (a model's
# layers first, then attributes sorted, private ones last) first meets it. Weights are matched to
# that tree leaf by leaf: flattened in sorted order it puts dense_10 before dense_2, and a
# Bidirectional's backward_layer before its forward_layer.


def _join(*parts):
    return "/".join(p for p in parts if p)


def _own_variables(layer):
    """What Keras's `save_own_variables` writes: the layer's own variables, trainable first."""
    return list(layer._trainable_weights) + list(layer._non_trainable_weights)


def _snake_case(name):
    """keras.src.utils.naming.to_snake_case, which names the items of a saved list."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _is_model(layer):
    from ..models.functional import Model  # models import saving

    return isinstance(layer, Model)


def _list_keys(items):
    """The group names Keras gives a list's objects: the class name, then _1, _2, ... per class."""
    from ..models.functional import Model

    keys, used = [], {}
    for item in items:
        base = _snake_case("Functional" if type(item) is Model else type(item).__name__)
        used[base] = used.get(base, -1) + 1
        keys.append(base if used[base] == 0 else f"{base}_{used[base]}")
    return keys


def _children(layer):
    """[(attribute, sublayer or list of sublayers)] in the order Keras 3 walks them."""
    if _is_model(layer):
        return [("layers", layer.layers)]
    found = []
    for attr, value in vars(layer).items():
        if isinstance(value, Layer):
            found.append((attr, value))
        elif isinstance(value, (list, tuple)) and any(isinstance(v, Layer) for v in value):
            found.append((attr, [v for v in value if isinstance(v, Layer)]))
    return sorted(found, key=lambda pair: "~" + pair[0] if pair[0].startswith("_") else pair[0])


def _has_weights(sub):
    return any(s.weights for s in ([sub] if isinstance(sub, Layer) else sub))


def _subgroups(group):
    return {k: g for k, g in group.items() if k != "vars" and isinstance(g, h5py.Group)}


def _holds_arrays(group):
    found = []
    group.visititems(lambda _, item: found.append(item) if isinstance(item, h5py.Dataset) else None)
    return bool(found)


def _recorded_name(group):
    name = group["vars"].attrs.get("name") if "vars" in group else None
    return name.decode() if isinstance(name, bytes) else name


def _walk_order(key):
    """Group names in the order Keras's walk wrote them: dense_2 before dense_10, private ones last."""
    base, _, n = key.rpartition("_")
    name, number = (base, int(n)) if base and n.isdigit() else (key, -1)
    return ("~" + name if name.startswith("_") else name), number


def _all_arrays(group):
    """A group's arrays in Keras's walk order: its own, then each child's."""
    values, subs = _ordered_vars(group), _subgroups(group)
    for key in sorted(subs, key=_walk_order):
        values += _all_arrays(subs[key])
    return values


class _WeightsReader:
    """Pairs a model's variables with the arrays of a Keras 3 (or horn) weights file, by structure."""

    def __init__(self, source):
        self.source, self.seen, self.values = source, set(), {}

    def read_layer(self, layer, group, path, flat_ok=False):
        if id(layer) in self.seen:  # a shared layer: Keras wrote it where its walk first met it
            return
        self.seen.add(id(layer))
        subs = _subgroups(group)
        children = [(attr, sub) for attr, sub in _children(layer) if _has_weights(sub)]
        if not children:  # a leaf, whose group may still nest (Keras keeps a ConvLSTM2D's in its cell)
            self.assign(layer, layer.weights, convert_weights(layer, _all_arrays(group)), path)
            return
        if flat_ok and not subs:  # horn's earlier writer: a top-level layer's weights in one group,
            # in the order `weights` then had (Keras 2's: trainable first, across sublayers)
            order = stored_order(layer)
            self.assign(layer, order, convert_weights(layer, _ordered_vars(group)), path)
            return
        for attr, sub in children:
            if attr not in subs and all(id(s) in self.seen for s in ([sub] if isinstance(sub, Layer) else sub)):
                continue
            if attr not in subs:
                names = sub.name if isinstance(sub, Layer) else [s.name for s in sub]
                raise ValueError(f"{self.source}: layer '{layer.name}' ({type(layer).__name__}) holds {names!r} "
                                 f"in its attribute '{attr}', so the file should have a group "
                                 f"'{_join(path, attr)}', but it has none; '{path}' holds {sorted(subs)}.")
            if isinstance(sub, Layer):
                self.read_layer(sub, subs[attr], _join(path, attr))
            else:
                self.read_list(layer, sub, subs[attr], _join(path, attr))
        names = {attr for attr, _ in children}
        extra = [k for k, g in subs.items() if k not in names and _holds_arrays(g)]
        if extra and not _is_model(layer):  # a model's other groups hold no layer weights
            raise ValueError(f"{self.source}: the file holds weights under {[_join(path, k) for k in extra]}, "
                             f"but layer '{layer.name}' ({type(layer).__name__}) has no sublayer there; its "
                             f"sublayers with weights are in {sorted(names)}.")
        own, arrays = _own_variables(layer), _ordered_vars(group)
        if len(arrays) > len(own):
            raise ValueError(f"{self.source}: layer '{layer.name}' has {len(own)} weights of its own, but "
                             f"'{_join(path, 'vars')}' holds {len(arrays)}: {[a.shape for a in arrays]}.")
        known = {key: value for key, (_, value) in self.values.items()}
        known.update(zip(map(id, own), arrays))
        # The layer's whole list, as an HDF5 file holds it, so that its convert_loaded_weights may
        # fill in own variables Keras does not write.
        values = [known[id(w)] for w in layer.weights if id(w) in known]
        self.assign(layer, layer.weights, convert_weights(layer, values), path)

    def read_list(self, owner, items, group, path, flat_ok=False):
        """A list's layers, found by the name Keras recorded, else by the key it gave them."""
        subs = _subgroups(group)
        named = {}
        for key, g in subs.items():
            named.setdefault(_recorded_name(g), []).append(key)
        claimed = set()
        for item, key in zip(items, _list_keys(items)):
            by_name = named.get(item.name, [])
            found = [k for k in (by_name[0] if len(by_name) == 1 else None, key, item.name)
                     if k in subs and k not in claimed]
            if not found:
                if item.weights and id(item) not in self.seen:
                    raise ValueError(f"{self.source}: layer '{item.name}' ({type(item).__name__}) of "
                                     f"'{owner.name}' has weights, but the file has no group for it: expected "
                                     f"'{_join(path, key)}' (or one whose vars are named '{item.name}'); "
                                     f"'{path}' holds {sorted(subs)}.")
                continue
            claimed.add(found[0])
            self.read_layer(item, subs[found[0]], _join(path, found[0]), flat_ok=flat_ok)
        extra = [k for k in subs if k not in claimed and _holds_arrays(subs[k])]
        if extra:
            raise ValueError(f"{self.source}: the file holds weights under {[_join(path, k) for k in extra]}, "
                             f"which match no layer of '{owner.name}' (its layers: {[i.name for i in items]}).")

    def assign(self, layer, weights, values, path):
        values = list(values)
        if len(values) != len(weights) or any(np.shape(v) != tuple(w.shape) for v, w in zip(values, weights)):
            raise ValueError(f"{self.source}: layer '{layer.name}' ({type(layer).__name__}) expects weights of "
                             f"shapes {[tuple(w.shape) for w in weights]}, but '{path}' holds "
                             f"{[np.shape(v) for v in values]}.")
        for w, v in zip(weights, values):
            self.values[id(w)] = (w, v)

    def finish(self):
        for var, value in self.values.values():
            var.assign(np.asarray(value))


def _write_layer(f, layer, path, seen):
    """Keras 3's layout (see above): the layer's own variables, then its sublayers'."""
    if id(layer) in seen:
        return
    seen.add(id(layer))
    group = f.create_group(_join(path, "vars"))
    group.attrs["name"] = layer.name
    for i, w in enumerate(_own_variables(layer)):
        group.create_dataset(str(i), data=np.asarray(w.numpy()))
    for attr, sub in _children(layer):
        if isinstance(sub, Layer):
            _write_layer(f, sub, _join(path, attr), seen)
        else:
            for item, key in zip(sub, _list_keys(sub)):
                _write_layer(f, item, _join(path, attr, key), seen)


def read_model_weights(weights, model, source, flat_ok=False):
    """Assign a Keras 3 weights file's arrays (a .keras file's model.weights.h5, or a
    `.weights.h5` file of save_weights) to model's variables, by structure."""
    reader = _WeightsReader(source)
    if "layers" in weights:
        reader.read_list(model, model.layers, weights["layers"], "layers", flat_ok=flat_ok)
    elif model.weights:
        raise ValueError(f"{source} holds no layer weights (no 'layers' group), but model '{model.name}' has "
                         f"{len(model.weights)} weights.")
    reader.finish()


def write_model_weights(f, model):
    """Keras 3's weights layout (see above) into the open HDF5 file f."""
    _write_layer(f, model, "", set())


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from .serialization import model_from_config

    with zipfile.ZipFile(filepath) as z:
        config = json.loads(z.read("config.json"))
        metadata = json.loads(z.read("metadata.json")) if "metadata.json" in z.namelist() else {}
        if safe_mode and not code_allowed() and "__lambda__" in json.dumps(config):
            raise ValueError("This .keras file contains a Lambda layer's code; loading it would run that "
                             "code. Pass safe_mode=False only if you trust the file.")
        model = model_from_config(config, custom_objects)
        written_by_horn = str(metadata.get("keras_version", "")).startswith("horn")
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as weights:
            read_model_weights(weights, model, repr(filepath), flat_ok=written_by_horn)
            saved_optimizer = _ordered_vars(weights["optimizer"]) if "optimizer" in weights else None
    training = config.get("compile_config")
    if compile and training and (training.get("optimizer") or training.get("loss")):
        opt = training.get("optimizer") or "rmsprop"
        training = {"optimizer_config": opt if isinstance(opt, dict) else {"class_name": opt, "config": {}},
                    "loss": training.get("loss"), "metrics": training.get("metrics"),
                    "loss_weights": training.get("loss_weights"),
                    "weighted_metrics": training.get("weighted_metrics")}
        compile_from_training_config(model, training, custom_objects)
        if saved_optimizer:
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
                                    "metrics": training["metrics"], "loss_weights": training["loss_weights"],
                                    "weighted_metrics": training["weighted_metrics"]}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_model_weights(f, model)
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

