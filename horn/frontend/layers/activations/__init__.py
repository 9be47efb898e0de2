"""Activation layers: ReLU, LeakyReLU, ELU, Softmax, PReLU."""

from .activation_layers import ELU, PReLU, LeakyReLU, ReLU, Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
