"""Core layers."""

from .activation import Activation
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .identity import Identity
from .lambda_layer import Lambda
from .reshape import Reshape

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Identity", "Lambda", "Reshape"]
