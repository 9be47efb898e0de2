"""Convolutional recurrent layers."""

from .conv_lstm2d import ConvLSTM2D

__all__ = ["ConvLSTM2D"]
