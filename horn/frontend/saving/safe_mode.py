"""Whether loading may run code a file holds (a Lambda layer's function): never unless asked,
by load_model(..., safe_mode=False) for that load or keras.config.enable_unsafe_deserialization()."""

import contextlib
import contextvars

_allowed = contextvars.ContextVar("horn_unsafe_deserialization", default=False)
_enabled_globally = [False]


def enable_unsafe_deserialization():
    """Let every later load run the code of Lambda layers in files (Keras 3's switch)."""
    _enabled_globally[0] = True


@contextlib.contextmanager
def unsafe_scope(allowed):
    token = _allowed.set(bool(allowed))
    try:
        yield
    finally:
        _allowed.reset(token)


def code_allowed():
    return _allowed.get() or _enabled_globally[0]
