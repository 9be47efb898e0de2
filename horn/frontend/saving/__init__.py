"""Saving and loading models: Keras's HDF5 layout, Keras 3's .keras zip, and ONNX export."""

import os

from . import hdf5, keras_zip
from .safe_mode import unsafe_scope as safe_mode_scope
from .serialization import deserialize_layer, model_from_config, serialize_layer


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Write `model` to filepath: '.keras' (Keras 3's zip) or '.h5'/'.hdf5' (Keras's HDF5 layout).
    The file is replaced atomically: a failed save leaves the previous file intact."""
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath!r} exists and overwrite=False")
    if filepath.endswith(".keras"):
        return keras_zip.save_model(model, filepath)
    if filepath.endswith((".h5", ".hdf5")):
        return hdf5.save_model(model, filepath, include_optimizer)
    raise ValueError(f"save() writes '.keras' or '.h5' files, got {filepath!r}. For ONNX use model.export().")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model saved by Keras 2 (HDF5), Keras 3 (.keras or legacy HDF5) or horn.

    Args:
        custom_objects: {name: class or function} for your own layers, losses, ...
        compile: also compile it with the saved optimizer, loss and metrics.
        safe_mode: refuse files that would run code they contain (Lambda layers).
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file or directory found at {filepath!r}")
    import zipfile

    import h5py

    with safe_mode_scope(not safe_mode):  # a Lambda's code runs only where the caller allows it
        if zipfile.is_zipfile(filepath):
            return keras_zip.load_model(filepath, custom_objects, compile, safe_mode)
        if h5py.is_hdf5(filepath):
            return hdf5.load_model(filepath, custom_objects, compile)
    raise ValueError(f"{filepath!r} is neither a .keras zip nor an HDF5 file (a corrupt or foreign file?)")


__all__ = ["deserialize_layer", "load_model", "model_from_config", "save_model", "serialize_layer"]
