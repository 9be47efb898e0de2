"""Optimizers by object or by name ('sgd', 'rmsprop', 'adam', 'adamw', 'adagrad', 'adadelta', 'adamax',
'nadam', 'ftrl', 'lion'), and learning-rate schedules (`schedules`)."""

import sys

from ..registry import Registry
from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .ftrl import Ftrl
from .lion import Lion
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

_registry = Registry("optimizer")
for _cls, _names in ((SGD, ("SGD", "sgd")), (RMSprop, ("RMSprop", "rmsprop")), (Adam, ("Adam", "adam")),
                     (Adagrad, ("Adagrad", "adagrad"))):
    _registry.register(*_names)(_cls)
_registry.register("Adadelta", "adadelta")(Adadelta)
_registry.register("AdamW", "adamw")(AdamW)
for _cls in (Adamax, Nadam, Ftrl, Lion):
    _registry.register(_cls.__name__, _cls.__name__.lower())(_cls)

# `horn.optimizers` is a module re-exporting this package, so `from horn.optimizers.schedules
# import ...` needs the submodule under that name too (`keras.optimizers.schedules`).
sys.modules.setdefault(f"{__name__.split('.')[0]}.optimizers.schedules", schedules)


def get(identifier):
    """An optimizer from a name, an Optimizer, or a {'class_name', 'config'} dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _registry.lookup(identifier)()
    if isinstance(identifier, dict):
        return _registry.lookup(identifier["class_name"]).from_config(identifier.get("config", {}))
    raise TypeError(f"Could not interpret optimizer identifier: {identifier!r} "
                    "(pass a name such as 'adam' or an optimizer object)")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion", "Nadam", "Optimizer", "RMSprop",
           "get", "schedules", "serialize"]
