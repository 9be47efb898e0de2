"""Activation layers: ReLU, LeakyReLU, ELU, Softmax, PReLU, ThresholdedReLU."""

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .thresholded_relu import ThresholdedReLU

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "ThresholdedReLU"]
