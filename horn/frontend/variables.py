"""Variables: a layer's weights (and an optimizer's slots), held on the host or on the device.

While a model trains, its variables' values live in the training program's device state;
`numpy()` pulls them to the host only when someone asks.
"""

import numpy as np

from ..compiler.ir import Arithmetic

_generation = [0]  # bumped by every assign() and training step, in any model


def generation():
    """A counter that changes whenever any variable's value may have changed."""
    return _generation[0]


def bump_generation():
    _generation[0] += 1


class Variable(Arithmetic):
    """A named, shaped weight. `numpy()` reads it; `assign(value)` writes it."""

    _horn_variable = True

    def __init__(self, value, name, trainable=True, regularizer=None, constraint=None, dtype=None):
        self._value = np.array(value, dtype=dtype or np.asarray(value).dtype)
        self.name = name
        self.path = name
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
        self._version = 0
        self._owner = None  # the device state that holds the live value while training

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    @property
    def ndim(self):
        return self._value.ndim

    @property
    def version(self):
        return self._version + (self._owner.version if self._owner is not None else 0)

    def numpy(self):
        if self._owner is not None:
            self._owner.pull()
        return self._value

    @property
    def value(self):
        return self.numpy()

    def assign(self, value):
        value = np.asarray(value)
        if value.shape != self.shape:
            raise ValueError(f"Variable '{self.name}' has shape {self.shape}, "
                             f"but the assigned value has shape {value.shape}")
        if self._owner is not None:
            self._owner.pull()
            self._owner.host_changed()
        self._value = np.array(value, dtype=self.dtype)
        self._version += 1
        _generation[0] += 1

    def _set_from_device(self, value):
        self._value = value

    def __array__(self, dtype=None, copy=None):
        v = self.numpy()
        return v.astype(dtype) if dtype is not None else v

    def __repr__(self):
        return f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}>"
