"""Models: Sequential and the functional Model, and reading/writing them."""

import json

from ..saving import load_model, model_from_config, save_model
from .cloning import clone_model
from .functional import Model
from .sequential import Sequential


def model_from_json(json_string, custom_objects=None):
    """A model (untrained weights) from the JSON that model.to_json() or Keras wrote."""
    return model_from_config(json.loads(json_string), custom_objects)


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_config", "model_from_json", "save_model"]
