"""StackedRNNCells: several RNN cells that behave as one (each feeds the next)."""

from ... import tracing
from ..layer import Layer


class StackedRNNCells(Layer):
    """A stack of RNN cells used as a single cell: `RNN(StackedRNNCells([c1, c2]))`, or
    equivalently `RNN([c1, c2])`.

    Args:
        cells: the cells, first to last; each takes the previous one's output.

    Its `state_size` lists each cell's (an int or a list); its states, in `call` and in an RNN's
    `initial_state`/`return_state`, are grouped the same way. RNN runs the cells one after
    another over the whole sequence, so each one is unrolled or fused on its own.

    Example:
        RNN(StackedRNNCells([LSTMCell(32), LSTMCell(16)]), return_sequences=True)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        if not cells:
            raise ValueError("StackedRNNCells(cells=...) needs at least one cell")
        for cell in cells:
            if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size", None) is None:
                raise ValueError(f"StackedRNNCells needs cells with a `call(inputs, states)` method and a "
                                 f"`state_size` attribute, got {cell!r}")
        self.cells = cells

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                group = fn(batch_size=batch_size)
            else:
                import numpy as np

                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
                group = [np.zeros((batch_size, s), self.dtype) for s in sizes]
            states.append(group[0] if not isinstance(cell.state_size, (list, tuple)) else list(group))
        return states

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size
            shape = (shape[0], size)

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            nested = isinstance(cell_states, (list, tuple))
            cell_states = list(cell_states) if nested else [cell_states]
            if isinstance(cell, Layer):
                kwargs = {"training": training} if cell._accepts("training") else {}
                inputs, cell_states = cell(inputs, cell_states, **kwargs)
            else:
                inputs, cell_states = cell.call(inputs, cell_states)
            cell_states = tracing.flatten(cell_states)
            new_states.append(cell_states if nested or len(cell_states) > 1 else cell_states[0])
        return inputs, new_states

    def get_config(self):
        from ...saving.serialization import serialize_layer

        return {**super().get_config(), "cells": [serialize_layer(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer

        config = dict(config)
        cells = [deserialize_layer(c, custom_objects) if isinstance(c, dict) else c for c in config.pop("cells")]
        return cls(cells, **config)
