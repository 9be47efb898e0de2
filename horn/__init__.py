"""horn: Keras, compiled to ONNX and run on ONNX Runtime.

    import horn as keras
    model = keras.Sequential([keras.layers.Dense(10, activation="softmax", input_dim=64)])

Submodules load on first use, so `import horn.runtime` needs only numpy and onnxruntime.
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = {"layers", "models", "optimizers", "losses", "metrics", "activations", "initializers",
               "regularizers", "constraints", "callbacks", "utils", "datasets", "backend", "config", "ops", "runtime",
               "compiler", "frontend", "preprocessing"}
_NAMES = {"Sequential": "models", "Model": "models", "Input": "layers", "Layer": "layers",
          "InputSpec": "layers"}


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'horn' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_NAMES))
