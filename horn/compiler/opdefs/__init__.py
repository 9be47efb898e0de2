"""The op vocabulary: importing this package registers every OpDef in `OPS`."""

from . import (  # noqa: F401
    activations,
    conv,
    elementwise,
    gather,
    grid_sample,
    linalg,
    nn,
    pooling,
    random,
    recurrent,
    reductions,
    resize,
    scan,
    shape,
    slicing,
)
