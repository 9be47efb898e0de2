"""Lambda: a function of the inputs as a layer."""

import base64
import inspect
import marshal
import types

from ...saving import safe_mode
from ..layer import Layer


class Lambda(Layer):
    """Wraps `function(inputs, **arguments)` (written with horn.ops / keras.ops) as a layer.

    Args:
        function: called on the layer's inputs; may take `mask=` and `training=`.
        output_shape: the output's shape without the batch axis, or a function of the input
            shape; by default traced from the function.
        mask: the output mask, or a function (inputs, mask) -> mask; by default none.
        arguments: extra keyword arguments for `function`.

    Saved models hold a Python lambda's bytecode (as Keras does, for the same Python version);
    loading runs it only with `load_model(..., safe_mode=False)` or after
    `keras.config.enable_unsafe_deserialization()`. A named function is saved by name and found
    again through `custom_objects`.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda needs a callable function, got {function!r}")
        self.function, self.arguments = function, dict(arguments or {})
        self.mask, self._output_shape = mask, output_shape
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        params = inspect.signature(self.function).parameters
        if "mask" in params:
            kwargs["mask"] = mask
        if "training" in params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = input_shape[0][0] if isinstance(input_shape, list) else input_shape[0]
        return (batch, *self._output_shape)

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def get_config(self):
        config = {**super().get_config(), "function": _function_config(self.function),
                  "arguments": self.arguments}
        if self._output_shape is not None:
            config["output_shape"] = (_function_config(self._output_shape) if callable(self._output_shape)
                                      else list(self._output_shape))
        if self.mask is not None and callable(self.mask):
            config["mask"] = _function_config(self.mask)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        kind = config.pop("function_type", None)  # Keras 2: "lambda" or "function"
        config["function"] = _load_function(config["function"], kind, custom_objects, config.get("name"))
        if "output_shape" in config:
            out = config["output_shape"]
            out_kind = config.pop("output_shape_type", None)
            if isinstance(out, dict) or out_kind in ("lambda", "function"):
                config["output_shape"] = _load_function(out, out_kind, custom_objects, config.get("name"))
            elif out is not None:
                config["output_shape"] = tuple(out)
        config.pop("output_shape_type", None)
        if isinstance(config.get("mask"), dict) or config.get("mask_type") in ("lambda", "function"):
            config["mask"] = _load_function(config["mask"], config.get("mask_type"), custom_objects, config.get("name"))
        config.pop("mask_type", None)
        return cls(**config)


def _function_config(fn):
    """Keras 3's form: a lambda's bytecode, or a named function's name."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        return {"class_name": "__lambda__", "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": fn.__name__,
            "registered_name": fn.__name__}


def _load_function(spec, kind, custom_objects, layer_name):
    """A function from its saved form (Keras 3's dict, Keras 2's (code, defaults, closure) or
    name); bytecode only where code may run (saving/safe_mode.py)."""
    custom_objects = custom_objects or {}
    if isinstance(spec, dict) and spec.get("class_name") == "__lambda__":
        inner = spec["config"]
        return _from_bytecode(inner.get("code") or inner.get("value", [None])[0], inner.get("defaults"),
                              inner.get("closure"), layer_name)
    if kind == "lambda" or (isinstance(spec, (list, tuple)) and kind != "function"):
        code, defaults, closure = (list(spec) + [None, None])[:3]
        return _from_bytecode(code, defaults, closure, layer_name)
    name = spec.get("config") if isinstance(spec, dict) else spec
    if isinstance(spec, dict) and spec.get("registered_name") in custom_objects:
        return custom_objects[spec["registered_name"]]
    if name in custom_objects:
        return custom_objects[name]
    raise ValueError(f"Lambda layer '{layer_name}' calls the function {name!r}, which is not known here: pass it "
                     f"as custom_objects={{{name!r}: {name}}}")


def _from_bytecode(code, defaults, closure, layer_name):
    if not safe_mode.code_allowed():
        raise ValueError(f"Lambda layer '{layer_name}' holds a Python function's bytecode; loading it would run "
                         "code from the file. Pass safe_mode=False (or call "
                         "keras.config.enable_unsafe_deserialization()) only if you trust the file.")
    raw = base64.b64decode(code.encode("ascii") if isinstance(code, str) else code)
    func_code = marshal.loads(raw)
    cells = tuple(types.CellType(v) for v in closure) if closure else None
    return types.FunctionType(func_code, _lambda_globals(), name=func_code.co_name,
                              argdefs=tuple(defaults) if defaults else None, closure=cells)


def _lambda_globals():
    """The names a saved lambda's body usually reads: keras (horn), K, ops, np."""
    import builtins

    import numpy as np

    import horn

    return {"__builtins__": builtins, "keras": horn, "K": horn.backend, "ops": horn.ops, "np": np, "numpy": np}
