"""Bidirectional: runs a recurrent layer forwards and a copy backwards, and merges the two."""

from ... import ops
from ..layer import Layer
from ..rnn.rnn import states_from_list_call

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


class Bidirectional(Layer):
    """A bidirectional wrapper for RNN layers (LSTM, GRU, SimpleRNN, RNN(cell), ConvLSTM2D).

    The forward copy reads the sequence first to last, the backward copy (the same layer with
    `go_backwards` flipped, or `backward_layer`) last to first; with `return_sequences` the
    backward outputs are flipped back so that step t of both halves describes input step t.
    Weights: the forward layer's, then the backward layer's, as in Keras. A mask on the input
    goes to both layers.

    Args:
        layer: a recurrent layer instance (copied from its config, as Keras does: fresh weights).
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave', or None (a list [forward, backward]).
        backward_layer: an explicit backward layer; its go_backwards must differ from the forward
            layer's, and return_sequences / return_state must match.

    Shapes: as `layer`, with the last axis doubled for 'concat'. With return_state the output is
    [merged, *forward_states, *backward_states].

    Example: `Bidirectional(LSTM(64, return_sequences=True), merge_mode="sum")`.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional needs a Layer instance to wrap, got {layer!r}")
        for attr in ("return_sequences", "go_backwards"):
            if not hasattr(layer, attr):
                raise ValueError(f"Bidirectional needs a recurrent layer (with {attr}=...), got "
                                 f"{type(layer).__name__} '{layer.name}'")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional(merge_mode=...) must be one of {list(_MERGE_MODES)}, "
                             f"got {merge_mode!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"Bidirectional(backward_layer=...) needs a Layer instance, got {backward_layer!r}")
        super().__init__(**kwargs)
        if self._batch_input_shape is None:  # Keras 2: Bidirectional(LSTM(8, input_shape=(5, 3)))
            self._batch_input_shape = layer._batch_input_shape
        config = layer.get_config()
        base = _strip(_strip(layer.name, "forward_"), "backward_")
        self.forward_layer = _copy(layer, config, name="forward_" + base)
        if backward_layer is None:
            self.backward_layer = _copy(layer, config, name="backward_" + base, go_backwards=True)
        else:
            self.backward_layer = backward_layer
        if self.backward_layer.go_backwards == self.forward_layer.go_backwards:
            raise ValueError("Bidirectional's backward layer must read the other way: both layers have "
                             f"go_backwards={self.forward_layer.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            forward, backward = getattr(self.forward_layer, attr, False), getattr(self.backward_layer, attr, False)
            if forward != backward:
                raise ValueError(f"Bidirectional's forward and backward layers must agree on {attr}: "
                                 f"{forward} and {backward}")
        for sub in (self.forward_layer, self.backward_layer):
            if getattr(sub, "zero_output_for_mask", None) is not None:  # as Keras: masked steps output 0
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = bool(layer.return_sequences)
        self.return_state = bool(getattr(layer, "return_state", False))
        self.stateful = bool(getattr(layer, "stateful", False))
        self.input_spec = getattr(self.forward_layer, "input_spec", None)
        self.supports_masking = True
        self._initial_weights = weights if weights is not None else self._initial_weights

    def __call__(self, inputs, *args, **kwargs):
        inputs, kwargs = states_from_list_call(inputs, args, kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer._maybe_build([tuple(input_shape)])
            for w in layer.weights:  # both copies own a lstm_cell/kernel: name them apart, as Keras
                if not w.name.startswith(f"{layer.name}/"):
                    w.name = f"{layer.name}/{w.name}"

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {} if training is None else {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state)
            if len(states) % 2:
                raise ValueError(f"Layer '{self.name}' needs initial_state to hold the forward states "
                                 f"then the backward states (an even count), got {len(states)} tensors")
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        y = self.forward_layer(inputs, initial_state=forward_state, **kwargs) if forward_state else \
            self.forward_layer(inputs, **kwargs)
        y_rev = self.backward_layer(inputs, initial_state=backward_state, **kwargs) if backward_state else \
            self.backward_layer(inputs, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        output = _merge(self.merge_mode, y, y_rev)
        if not self.return_state:
            return output
        return (list(output) if isinstance(output, list) else [output]) + states

    @property
    def states(self):
        """The stateful layers' state variables, forward's then backward's (else None)."""
        forward, backward = getattr(self.forward_layer, "states", None), getattr(self.backward_layer, "states", None)
        return list(forward) + list(backward) if forward and backward else None

    def reset_states(self, states=None):
        """Reset both layers' states: to zeros, or to `states` (forward's first half, backward's second)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' is not stateful: it has no states to reset")
        half = None if states is None else len(states) // 2
        self.forward_layer.reset_states(None if states is None else states[:half])
        self.backward_layer.reset_states(None if states is None else states[half:])

    reset_state = reset_states

    def compute_mask(self, inputs, mask=None):
        out_mask = mask if self.return_sequences else None
        masks = [out_mask, out_mask] if self.merge_mode is None else [out_mask]
        if self.return_state:  # states carry no mask
            masks += [None] * (2 * (len(self.forward_layer.compute_output_shape(tuple(inputs.shape))) - 1))
        return masks if len(masks) > 1 else masks[0]

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(tuple(input_shape))
        states = []
        if self.return_state:
            states = list(shape[1:]) * 2
            shape = shape[0]
        shape = tuple(shape)
        if self.merge_mode == "concat":
            out = [shape[:-1] + (2 * shape[-1],)]
        elif self.merge_mode is None:
            out = [shape, shape]
        else:
            out = [shape]
        if not self.return_state and len(out) == 1:
            return out[0]
        return out + [tuple(s) for s in states]

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": {"class_name": type(self.forward_layer).__name__,
                          "config": self.forward_layer.get_config()},
                "backward_layer": {"class_name": type(self.backward_layer).__name__,
                                   "config": self.backward_layer.get_config()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer

        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"], custom_objects)
        return cls(**config)


def _merge(mode, y, y_rev):
    if mode == "concat":
        return ops.concatenate([y, y_rev], axis=-1)
    if mode == "sum":
        return ops.add(y, y_rev)
    if mode == "ave":
        return ops.multiply(ops.add(y, y_rev), 0.5)
    if mode == "mul":
        return ops.multiply(y, y_rev)
    return [y, y_rev]


def _copy(layer, config, **changes):
    """A fresh layer of layer's class from its config (Keras clones the wrapped layer too)."""
    return type(layer).from_config({**config, **changes})


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name
