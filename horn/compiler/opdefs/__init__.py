"""The op vocabulary: importing this package registers every OpDef in `OPS`."""

from . import activations, elementwise, gather, linalg, nn, reductions, shape  # noqa: F401
