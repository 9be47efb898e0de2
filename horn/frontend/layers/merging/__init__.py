"""Merge layers: combine several tensors into one (Add, Concatenate, ...), and their functional forms."""

from .merge import (
                    Add,
                    Average,
                    Concatenate,
                    Dot,
                    Maximum,
                    Minimum,
                    Multiply,
                    Subtract,
                    add,
                    average,
                    concatenate,
                    dot,
                    maximum,
                    minimum,
                    multiply,
                    subtract,
)

__all__ = ["Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract", "add",
           "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract"]
