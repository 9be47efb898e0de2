"""Activation layers: ReLU, LeakyReLU, ELU, Softmax, PReLU."""

from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
