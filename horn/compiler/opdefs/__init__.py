"""The op vocabulary: importing this package registers every OpDef in `OPS`."""

from . import activations, elementwise, linalg, nn, reductions, shape  # noqa: F401
