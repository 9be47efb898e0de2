"""Optimizers by object or by name ('sgd', 'rmsprop', 'adam', 'adamw', 'adagrad', 'adadelta')."""

from ..registry import Registry
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

_registry = Registry("optimizer")
for _cls, _names in ((SGD, ("SGD", "sgd")), (RMSprop, ("RMSprop", "rmsprop")), (Adam, ("Adam", "adam")),
                     (Adagrad, ("Adagrad", "adagrad"))):
    _registry.register(*_names)(_cls)
_registry.register("Adadelta", "adadelta")(Adadelta)
_registry.register("AdamW", "adamw")(AdamW)


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


__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "get", "serialize"]
