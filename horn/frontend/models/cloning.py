"""`clone_model`: the same architecture with fresh layers (and so freshly initialized weights)."""

from __future__ import annotations

from collections.abc import Callable

from .. import tracing
from ..layers.input_layer import Input, InputLayer
from ..layers.keras_tensor import KerasTensor
from ..layers.op_layer import OpLayer
from .functional import Model
from .sequential import Sequential


def _is_graph_model(layer) -> bool:
    """A Sequential or functional model (one horn can rebuild call by call)."""
    return isinstance(layer, Model) and (isinstance(layer, Sequential) or bool(layer._nodes))


def _default_clone(layer):
    """A new layer from the old one's config; nested models are cloned whole, op calls re-wrapped."""
    if isinstance(layer, OpLayer):
        return OpLayer(layer.function, name=layer.name)
    if _is_graph_model(layer):
        return clone_model(layer)
    return layer.__class__.from_config(layer.get_config())


def _check_layer(clone, layer):
    if not (hasattr(clone, "_inbound_nodes") and callable(clone)):
        raise TypeError(f"clone_model(): clone_function must return a layer, but for layer '{layer.name}' "
                        f"({type(layer).__name__}) it returned {type(clone).__name__}: {clone!r}")
    return clone


def _new_input(layer: InputLayer):
    return Input(batch_shape=layer.batch_shape, dtype=layer.dtype, name=layer.name)


def clone_model(
    model,
    input_tensors=None,
    clone_function: Callable | None = None,
    call_function: Callable | None = None,
    recursive: bool = False,
    **kwargs,
):
    """A new model with `model`'s architecture and new, freshly initialized weights.

    Each layer is re-created by `clone_function` (by default from its config,
    `layer.__class__.from_config(layer.get_config())`); a Sequential model stays Sequential,
    a functional model is rebuilt along the same graph, a layer used at several places
    (shared) is cloned once and stays shared. Nested models are cloned whole by the default
    clone function (with `recursive=True`, also when a `clone_function` is given). The clone
    is not compiled and the original is left untouched; copy the weights with
    `clone.set_weights(model.get_weights())`.

    Args:
        model: A Sequential or functional model.
        input_tensors: Optional tensor(s) from `keras.Input` to build the clone on, in place of
            new inputs like the original's.
        clone_function: `layer -> new layer`, called once per layer (not on input layers).
        call_function: `(layer, *args, **kwargs) -> outputs`, called in place of
            `layer(*args, **kwargs)` while rebuilding a functional model (to insert layers, say).
        recursive: Also clone the layers inside nested models with `clone_function` and
            `call_function`, instead of passing the nested model to `clone_function`.

    Returns:
        A new model of the same class (Sequential or Model).

    Example:

    ```python
    def add_l2(layer):
        config = layer.get_config()
        if "kernel_regularizer" in config:
            config["kernel_regularizer"] = "l2"
        return layer.__class__.from_config(config)

    clone = keras.models.clone_model(model, clone_function=add_l2)
    ```
    """
    if kwargs:
        raise TypeError(f"clone_model() got unexpected keyword argument(s) {sorted(kwargs)}")
    if not isinstance(model, Model):
        raise TypeError(f"clone_model() expected a horn model (Sequential or Model), but got "
                        f"{type(model).__name__}: {model!r}")
    user_clone = clone_function

    def clone_layer(layer):
        if recursive and _is_graph_model(layer):
            return clone_model(layer, clone_function=user_clone, call_function=call_function, recursive=True)
        if user_clone is None:
            return _default_clone(layer)
        return _check_layer(user_clone(layer), layer)

    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_layer, call_function)
    if not model._nodes:
        if input_tensors is not None or clone_function is not None or call_function is not None:
            raise ValueError(f"clone_model() can only pass input_tensors, clone_function or call_function "
                             f"for a Sequential or functional model, but '{model.name}' is a subclassed "
                             f"{type(model).__name__}.")
        try:
            return model.__class__.from_config(model.get_config())
        except (TypeError, NotImplementedError) as e:
            raise ValueError(f"clone_model() could not re-create subclassed model '{model.name}' "
                             f"({type(model).__name__}) from its config: {e}. Give the class a "
                             "get_config() and from_config() that re-create it.") from e
    return _clone_functional(model, input_tensors, clone_layer, call_function)


def _clone_sequential(model, input_tensors, clone_layer, call_function):
    if call_function is not None:
        raise ValueError("clone_model() takes call_function only for functional models, "
                         f"but '{model.name}' is Sequential.")
    layers = [clone_layer(layer) for layer in model.layers]
    if input_tensors is not None:
        flat = tracing.flatten(input_tensors)
        if len(flat) != 1 or not isinstance(flat[0], KerasTensor):
            raise ValueError(f"clone_model() expected one input tensor for Sequential model '{model.name}', "
                             f"but got {input_tensors!r}")
        first = [flat[0]]
    elif model._input_layer is not None:
        first = [_new_input(model._input_layer)]
    else:
        first = []
    clone = Sequential(first + layers, name=model.name)
    clone.trainable = model.trainable
    return clone


def _clone_functional(model, input_tensors, clone_layer, call_function):
    if input_tensors is not None:
        given = tracing.flatten(input_tensors)
        if len(given) != len(model.inputs) or not all(isinstance(t, KerasTensor) for t in given):
            raise ValueError(f"clone_model() expected {len(model.inputs)} input tensor(s) made by keras.Input "
                             f"for model '{model.name}', but got {input_tensors!r}")
        new_inputs = given
    else:
        new_inputs = [_new_input(t._keras_history[0]) for t in model.inputs]
    values = {id(t): n for t, n in zip(model.inputs, new_inputs)}
    clones = {}  # id(old layer) -> new layer: a shared layer is cloned once

    def swap(x):
        return values[id(x)] if isinstance(x, KerasTensor) else x

    for node in model._nodes:
        layer = node.layer
        if isinstance(layer, InputLayer):
            continue
        if id(layer) not in clones:
            clones[id(layer)] = clone_layer(layer)
        new_layer = clones[id(layer)]
        inputs, args, kwargs = tracing.map_structure(swap, (node.inputs, list(node.args), dict(node.kwargs)))
        if call_function is not None:
            out = call_function(new_layer, inputs, *args, **kwargs)
        else:
            out = new_layer(inputs, *args, **kwargs)
        flat = tracing.flatten(out)
        if len(flat) != len(node.output_tensors):
            raise ValueError(f"clone_model(): the clone of layer '{layer.name}' returned {len(flat)} output(s), "
                             f"but the original returned {len(node.output_tensors)}")
        for old, new in zip(node.output_tensors, flat):
            values[id(old)] = new
    inputs = tracing.pack_like(model._inputs_struct, new_inputs)
    outputs = tracing.map_structure(swap, model._outputs_struct)
    clone = Model(inputs, outputs, name=model.name)
    clone.trainable = model.trainable
    return clone


__all__ = ["clone_model"]
