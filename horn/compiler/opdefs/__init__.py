"""The op vocabulary: importing this package registers every OpDef in `OPS`."""

from . import activations, conv, elementwise, gather, linalg, nn, recurrent, reductions, shape, slicing  # noqa: F401
