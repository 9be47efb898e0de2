"""Global settings (Keras's keras.json keys): floatx, epsilon, image_data_format, threads."""

_config = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


def floatx():
    return _config["floatx"]


def set_floatx(value):
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"set_floatx() takes 'float16', 'float32' or 'float64', got {value!r}")
    _config["floatx"] = value


def epsilon():
    """The fuzz factor Keras adds in its numerics (1e-7)."""
    return _config["epsilon"]


def set_epsilon(value):
    _config["epsilon"] = float(value)


def image_data_format():
    return _config["image_data_format"]


def set_image_data_format(value):
    if value not in ("channels_last", "channels_first"):
        raise ValueError(f"image_data_format must be 'channels_last' or 'channels_first', got {value!r}")
    _config["image_data_format"] = value


def set_num_threads(n):
    """Compute threads for programs compiled from now on (0: onnxruntime's default)."""
    from ..runtime import set_num_threads as _set

    _set(n)


def backend():
    return "onnxruntime"
