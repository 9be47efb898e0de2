"""horn's layers (Keras names)."""

from .core import Activation, Dense, Dropout, Flatten, Reshape
from .input_layer import Input, InputLayer
from .input_spec import InputSpec
from .layer import Layer

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "InputSpec", "Layer",
           "Reshape"]
