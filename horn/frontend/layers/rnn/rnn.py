"""RNN: a recurrent cell run over the time axis of a sequence (Keras's `keras.layers.RNN`).

The cell API is Keras 3's, for built-in and user-written cells alike:

    cell.state_size    an int, or a list of ints (one per state tensor, each (batch, size))
    cell.output_size   an int (optional: the first state size)
    cell.call(inputs, states, training=False) -> (output, new_states)
                       one timestep: inputs (batch, features), states a list of tensors
    cell.get_initial_state(batch_size) -> list of states (optional: zeros)

A list of cells is stacked (`StackedRNNCells`). `RNN(cell)` takes `initial_state`, `mask` and
`training` when called; a mask (batch, time) skips timesteps: a masked step carries the previous
states and output forward (zeros as output with `zero_output_for_mask=True`).

How horn lowers a recurrence (its IR has no loops):

- Unrolled, one set of ops per timestep, for training programs (autodiff works through it as
  is) and wherever the fused op does not apply. Needs a static number of timesteps. A cell may
  offer horn's fast path, `hoisted_step(sequence, training) -> (projected, step)`: `projected`
  is the input projection of every timestep at once (sequence (T, batch, features) -> (T,
  batch, gates), one MatMul) and `step(projected_t, states) -> (output, new_states)` the
  recurrent part. The built-in cells do; their `call` is `step(hoisted input)` for one step.
- Fused, in inference programs (predict, evaluate, export; `tracing.current().training` is
  False): a cell may offer `fused_sequence(sequence, states, reverse) -> (outputs, states)`
  (time-major, states None where zero) that emits ONNX's LSTM/GRU/RNN op, or None where its
  configuration has no fused equivalent. Without a mask this also handles a `None` time axis.
  With a mask, horn unrolls (exact for any mask, unlike sequence_lens which assumes
  right-padding), so a mask needs a static number of timesteps.

Stacked cells run one cell after another over the whole sequence (the same result as stepping
them together: masked steps are skipped by every cell), so each cell hoists its projection
and can be fused on its own.

For layers built on this one (Bidirectional, ConvLSTM2D, ...): `layer.cell`, `layer.states`
(the stateful state Variables, else None), `layer.reset_states(states=None)`, `get_config()`
with the serialized cell, and the constructor's `zero_output_for_mask` (Bidirectional sets it).
Stateful layers keep their states in non-trainable Variables updated with `add_update`, so the
training program carries them on the device like moving statistics; `reset_states()` assigns
zeros (or given values). The states are not weights (Layer.add_state): Keras lists them in neither
`weights` nor its files, and loading weights keeps them. predict() carries them
from batch to batch too (its program takes and returns them; see programs.predict_graph), and so
does a call on numpy arrays (programs.compile_eager); an export starts from the current states
and does not return the final ones, and a one-time warning says so.
"""

import contextlib
import warnings

import numpy as np

from ... import activations, constraints, initializers, ops, regularizers, tracing
from ..input_spec import InputSpec
from ..layer import Layer
from .stacked_rnn_cells import StackedRNNCells

# Recurrences loop (ONNX Scan) from this many timesteps on and unroll below it. Measured with
# benchmarks/scan_vs_unroll.py (LSTM 128, batch 32, 2 cores; loop / unrolled training step):
# T=3 1.08, T=10 1.02, T=20 1.02, T=40 0.89, T=80 0.90, T=160 0.85; the loop's program compiles
# in 0.05-0.14 s at every length, the unrolled one in 0.1 s at T=10 up to 1.4 s at T=160.
SCAN_FROM_STEPS = 10


class DropoutRNNCell:
    """Mixin for cells with `dropout` / `recurrent_dropout`: masks drawn once per sequence and
    shared by all its timesteps, as Keras 3 draws them (`dropout_mask_count` > 1: one mask per
    gate). RNN draws them from the first timestep and the initial state, and drops them after."""

    dropout_mask_count = None

    def _draw(self, like, rate, offset):
        # Read from Dropout's mask output: onnxruntime deletes a Dropout whose mask output is
        # unused (EliminateDropout), which would leave dropout(ones) all ones in training.
        seed = getattr(self, "seed", None)
        count = self.dropout_mask_count or 1
        masks = [ops.recurrent_dropout_mask(like, rate, seed=None if seed is None else seed + offset + k)
                 for k in range(count)]
        return masks if self.dropout_mask_count else masks[0]

    def get_dropout_mask(self, step_input):
        if getattr(self, "_dropout_mask", None) is None and 0 < self.dropout < 1:
            self._dropout_mask = self._draw(step_input, self.dropout, 0)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_state):
        if getattr(self, "_recurrent_dropout_mask", None) is None and 0 < self.recurrent_dropout < 1:
            self._recurrent_dropout_mask = self._draw(step_state, self.recurrent_dropout, 1000)
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None


def onnx_activation(fn):
    """(ONNX recurrent activation name, alpha, beta) for a Keras activation, or None."""
    for name, spec in _ONNX_ACTIVATIONS.items():
        try:
            if activations.get(name) is fn:
                return spec
        except ValueError:
            continue
    return None


# softplus is left out: onnxruntime's recurrent kernels compute it as log(1 + exp(x)), which
# overflows to inf above x = 88 where Keras's stays finite.
_ONNX_ACTIVATIONS = {
    "tanh": ("Tanh", None, None), "sigmoid": ("Sigmoid", None, None), "relu": ("Relu", None, None),
    "linear": ("Affine", 1.0, 0.0), "hard_sigmoid": ("HardSigmoid", 1.0 / 6.0, 0.5),
    "hard_sigmoid_keras2": ("HardSigmoid", 0.2, 0.5), "elu": ("Elu", 1.0, None),
    "softsign": ("Softsign", None, None), "leaky_relu": ("LeakyRelu", 0.2, None),
}


def onnx_activations(*fns):
    """The `activations`, `activation_alpha`, `activation_beta` attributes for these Keras
    activations, or None if one has no ONNX equivalent."""
    specs = [onnx_activation(f) for f in fns]
    if any(s is None for s in specs):
        return None
    return ([s[0] for s in specs], [s[1] for s in specs if s[1] is not None],
            [s[2] for s in specs if s[2] is not None])


class RNN(Layer):
    """Runs a recurrent cell over a sequence.

    Args:
        cell: an RNN cell (see the module docstring), or a list of cells (stacked).
        return_sequences: return the output of every timestep (batch, time, units) instead of
            the last one (batch, units).
        return_state: also return the final states: `[output, *states]`.
        go_backwards: process the sequence backwards (and return the reversed outputs).
        stateful: the final states of a batch are the initial states of the next one; needs a
            fixed batch size (`batch_input_shape=`/`batch_size=`); `reset_states()` clears them.
        unroll: accepted for Keras compatibility; horn always unrolls where it does not fuse.
        zero_output_for_mask: masked timesteps output zeros instead of the previous output.

    Call arguments: `sequences` (batch, time, features), `initial_state` (a list of state
    tensors), `mask` (batch, time) booleans, `training`.

    Example:
        x = Input((10, 8))
        y = RNN(LSTMCell(16), return_sequences=True)(x)   # (None, 10, 16)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"RNN(cell=...) needs a cell with a `call(inputs, states)` method, got {cell!r}")
        if getattr(cell, "state_size", None) is None:
            raise ValueError(f"RNN(cell=...) needs a cell with a `state_size` attribute (an int, or a list "
                             f"of ints, one per state tensor), got {cell!r}")
        if time_major:
            raise NotImplementedError("RNN(time_major=True) is not supported by horn: give (batch, time, ...)")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self.states = None
        self._warned_stateful_inference = False

    # -- the cell's structure -------------------------------------------------------------
    def _cells(self):
        return list(self.cell.cells) if isinstance(self.cell, StackedRNNCells) else [self.cell]

    @staticmethod
    def _sizes(cell):
        size = cell.state_size
        return [int(size)] if _is_int(size) else [int(s) for s in size]

    @staticmethod
    def _output_size(cell):
        size = getattr(cell, "output_size", None)
        return int(size) if size is not None else RNN._sizes(cell)[0]

    @property
    def state_size(self):
        size = self.cell.state_size
        return [size] if _is_int(size) else list(size)

    def _state_groups(self, flat):
        """Flat final states -> what return_state returns: per cell, a tensor or a list."""
        if not isinstance(self.cell, StackedRNNCells):
            return list(flat)
        out, it = [], iter(flat)
        for cell in self._cells():
            group = [next(it) for _ in self._sizes(cell)]
            out.append(group[0] if _is_int(cell.state_size) else group)
        return out

    # -- Layer ----------------------------------------------------------------------------
    def __call__(self, inputs, *args, **kwargs):
        inputs, kwargs = states_from_list_call(inputs, args, kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        step_shape = (shape[0],) + shape[2:]
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        if isinstance(self.cell, Layer):  # weight paths under the layer: lstm/lstm_cell/kernel
            for w in self.cell.weights:
                if not w.path.startswith(f"{self.name}/"):
                    w.path = f"{self.name}/{w.name}"
        if self.stateful and self.states is None:
            if shape[0] is None:
                raise ValueError(f"Layer '{self.name}' is stateful, so it needs a fixed batch size: give the "
                                 f"first layer batch_input_shape=(batch, ...) (or Input(batch_size=...)); got "
                                 f"input shape {shape}")
            sizes = [s for c in self._cells() for s in self._sizes(c)]
            self.states = [self.add_state(f"state_{k}", (shape[0], s)) for k, s in enumerate(sizes)]
        self.built = True

    def reset_states(self, states=None):
        """Set a stateful layer's states to zeros, or to `states` (arrays, one per state)."""
        if self.states is None:
            return
        values = [None] * len(self.states) if states is None else tracing.flatten(states)
        if len(values) != len(self.states):
            raise ValueError(f"Layer '{self.name}' has {len(self.states)} states, but reset_states() "
                             f"received {len(values)} values")
        for var, value in zip(self.states, values):
            var.assign(np.zeros(var.shape, var.dtype) if value is None else np.asarray(value, var.dtype))

    reset_state = reset_states

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        units = self._output_size(self.cell)
        out = (batch, length, units) if self.return_sequences else (batch, units)
        if not self.return_state:
            return out
        states = [(batch, s) for c in self._cells() for s in self._sizes(c)]
        return [out] + self._state_groups(states)

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self._state_groups([None] * sum(len(self._sizes(c)) for c in self._cells())))
        return out

    def get_config(self):
        from ...saving.serialization import serialize_layer

        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask, "cell": serialize_layer(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ...saving.serialization import deserialize_layer

        config = dict(config)
        cell = config.pop("cell")
        if isinstance(cell, dict):
            cell = deserialize_layer(cell, custom_objects)
        return cls(cell, **config)

    # -- call -----------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequences
        trace = tracing.current()
        # The fused ops have no gradient: a training program unrolls, whatever `training` says.
        fuse = not training and not (trace is not None and trace.training)
        cells = self._cells()
        states = self._initial_states(x, initial_state, cells)
        mask = self._check_mask(mask, x)
        x_tm = ops.transpose(x, [1, 0] + list(range(2, len(x.shape))))  # (time, batch, ...)
        seq, flat_states, last = x_tm, [], None
        for k, (cell, cell_states) in enumerate(zip(cells, states)):
            final = k == len(cells) - 1
            result = None
            if fuse and mask is None and hasattr(cell, "fused_sequence"):
                result = cell.fused_sequence(_as_tensor(seq), cell_states, self.go_backwards)
            if result is not None:
                seq, new_states = result
                last = new_states[0]
            elif self._scans(seq):
                seq, new_states, last = self._scanned(cell, seq, cell_states, mask, training, final)
            else:
                self._need_static_time(x, cell, not fuse, mask)
                seq, new_states, last = self._unrolled(cell, seq, cell_states, mask, training, final, x)
            flat_states += list(new_states)
        if self.stateful:
            for var, value in zip(self.states, flat_states):
                self.add_update(var, value)
            if trace is not None and trace.mode == "constants" and not (trace.training or trace.carry_states):
                self._warn_stateful_inference()
        if self.return_sequences:
            output = self._batch_major(seq)
        else:
            output = last
        if self.return_state:
            return [output] + self._state_groups(flat_states)
        return output

    def _warn_stateful_inference(self):
        if not self._warned_stateful_inference:
            self._warned_stateful_inference = True
            warnings.warn(f"Layer '{self.name}' is stateful: this program (an exported file, say) starts "
                          "from its current states and does not return the final ones; predict(), fit(), "
                          "train_on_batch() and calls on numpy carry them from batch to batch, as Keras does.",
                          stacklevel=4)

    def _need_static_time(self, x, cell, training, mask):
        if x.shape[1] is not None:
            return
        why = ("to train" if training else "with a mask" if mask is not None else
               f"with cell {type(cell).__name__} (which has no fused ONNX form in this configuration)")
        raise ValueError(f"Layer '{self.name}' needs a fixed number of timesteps {why}: it was created with "
                         f"unroll=True, so horn unrolls the recurrence, one set of ops per timestep. Got input "
                         f"shape {tuple(x.shape)}; give the input a fixed length (e.g. Input(shape=(80, 16))), "
                         "or leave unroll=False (a loop that runs any length).")

    def _check_mask(self, mask, x):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is None:
            return None
        if len(mask.shape) != 2:
            raise ValueError(f"Layer '{self.name}' expected a mask of shape (batch, timesteps), but got a mask "
                             f"of shape {tuple(mask.shape)} for input shape {tuple(x.shape)}")
        for got, want in zip(mask.shape, x.shape[:2]):
            if got is not None and want is not None and got != want:
                raise ValueError(f"Layer '{self.name}' expected a mask of shape {tuple(x.shape[:2])} "
                                 f"(batch, timesteps), but got a mask of shape {tuple(mask.shape)}")
        return mask if np.dtype(mask.dtype) == np.bool_ else ops.cast(mask, "bool")

    def _initial_states(self, x, initial_state, cells):
        """Per cell, a list of its initial states; None stands for zeros (not yet built)."""
        sizes = [self._sizes(c) for c in cells]
        n = sum(len(s) for s in sizes)
        if initial_state is not None:
            flat = tracing.flatten(initial_state)
            want = [(None, s) for group in sizes for s in group]
            shapes = [tuple(getattr(v, "shape", np.shape(v))) for v in flat]
            if len(flat) != n or any(len(s) != 2 or s[-1] != w[-1] for s, w in zip(shapes, want)):
                raise ValueError(f"Layer '{self.name}' expected initial_state to be {n} tensor(s) of shape(s) "
                                 f"{', '.join(str(w) for w in want)} (one per state of its cell), but got "
                                 f"{len(flat)} of shape(s) {', '.join(map(str, shapes)) or 'none'}")
        elif self.stateful:
            flat = list(self.states)
        else:
            flat = [None] * n
            if x.shape[0] is not None:  # a user cell's own initial state, for a static batch size
                flat = self._cell_initial_states(cells, x.shape[0], flat)
        out, it = [], iter(flat)
        for group in sizes:
            out.append([next(it) for _ in group])
        return out

    def _cell_initial_states(self, cells, batch, flat):
        out = []
        for cell in cells:
            fn = getattr(cell, "get_initial_state", None)
            count = len(self._sizes(cell))
            if fn is None or getattr(fn, "_horn_zeros", False):
                out += [None] * count
            else:
                out += tracing.flatten(fn(batch_size=batch))
        return out if len(out) == len(flat) else flat

    # -- the recurrence as a loop (ONNX Scan) ----------------------------------------------------
    def _scans(self, seq):
        """Whether to loop rather than unroll: on traced tensors, unless `unroll=True`, for a
        dynamic number of timesteps or at least SCAN_FROM_STEPS of them."""
        if self.unroll or isinstance(seq, list) or not ops.is_traced(seq):
            return False
        return seq.shape[0] is None or seq.shape[0] >= SCAN_FROM_STEPS

    def _scanned(self, cell, seq, states, mask, training, final):
        """`_unrolled`'s results from one Scan over the timesteps (outputs as a time-major
        tensor in time order); the cell's step is traced once, as the loop body."""
        # Shaped like one timestep (see _unrolled): the first one (a max over all of them
        # cost a pass over the whole sequence).
        first = ops.take(seq, np.array(0, np.int64), axis=0)
        states = self._filled_states(cell, first, states)
        with _dropout_masks_drawn(cell, first, states[0], training):
            if hasattr(cell, "hoisted_step"):
                inputs, step = cell.hoisted_step(seq, training)
            else:
                inputs, step = seq, _generic_step(cell, training)
            count = len(states)
            xs, carry_prev = [inputs], mask is not None
            if carry_prev:
                # With a mask the previous output rides along as a state: what a masked step
                # outputs (the initial state's h where shapes allow, as in _unrolled).
                size = self._output_size(cell)
                prev = states[0] if states[0].shape[-1] == size else _zeros_like_rows(first, size)
                xs.append(ops.expand_dims(ops.transpose(mask, [1, 0]), -1))

            output_is_state = []

            def body(carry, x_t):
                old = list(carry[:count])
                out, new = step(x_t[0], old)
                new = list(new) if isinstance(new, (list, tuple)) else [new]
                if not carry_prev:
                    output_is_state.append(out is new[0])
                    return new, out
                out, new = self._masked(x_t[1], out, new, old, carry[count], final)
                return new + [out], out

            carry, outputs = ops.scan(body, list(states) + ([prev] if carry_prev else []), xs,
                                      reverse=self.go_backwards)
        # The last output: carried with a mask, else the final first state where the cell outputs
        # it (LSTM's h), else the last processed step's.
        if carry_prev:
            last = carry[count]
        elif output_is_state[0]:
            last = carry[0]
        else:
            last = ops.take(outputs, 0 if self.go_backwards else -1, axis=0)
        return outputs, carry[:count], last

    # -- the unrolled recurrence ------------------------------------------------------------
    def _unrolled(self, cell, seq, states, mask, training, final, x):
        """Step `cell` over `seq` (time-major tensor or list of steps, in time order); returns
        the outputs (a list in time order), the final states and the last output."""
        steps = len(seq) if isinstance(seq, list) else seq.shape[0]
        # Shaped like one timestep, for the shapes of zero states and dropout masks (its values
        # are never used): a reduction over time reads the sequence instead of copying a slice.
        first = seq[0] if isinstance(seq, list) else ops.max(seq, axis=0)
        states = self._filled_states(cell, first, states)
        with _dropout_masks_drawn(cell, first, states[0], training):
            if hasattr(cell, "hoisted_step"):
                projected, step = cell.hoisted_step(_as_tensor(seq), training)
                inputs = ops.unstack(projected, axis=0)
            else:
                inputs = _as_steps(seq)
                step = _generic_step(cell, training)
            masks = None if mask is None else ops.split(mask, steps, axis=1)  # each (batch, 1)
            order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
            outputs, prev = [None] * steps, None
            for t in order:
                out, new = step(inputs[t], list(states))
                new = list(new) if isinstance(new, (list, tuple)) else [new]
                if masks is not None:
                    held = prev if prev is not None else (
                        states[0] if tuple(states[0].shape[1:]) == tuple(out.shape[1:]) else ops.zeros_like(out))
                    out, new = self._masked(masks[t], out, new, states, held, final)
                states, outputs[t], prev = new, out, out
        return outputs, states, prev

    def _filled_states(self, cell, first, states):
        """The initial states, zeros (batch, size) where None (`first`: shaped like one timestep)."""
        return [_zeros_like_rows(first, size) if s is None else s for s, size in zip(states, self._sizes(cell))]

    def _masked(self, m, out, new, old, held, final):
        """A timestep under mask m (batch, 1): where it is False the states stay `old`, and the
        last cell outputs `held` (the previous output), or zeros with zero_output_for_mask."""
        new = [ops.where(m, a, b) for a, b in zip(new, old)]
        if final and self.zero_output_for_mask:
            out = ops.where(m, out, np.zeros((), out.dtype))
        elif final:
            out = ops.where(m, out, held)
        return out, new

    def _batch_major(self, seq):
        """The output sequence (batch, time, units), in processing order (reversed when
        go_backwards, as Keras returns it)."""
        if isinstance(seq, list):
            steps = list(reversed(seq)) if self.go_backwards else seq
            return ops.stack(steps, axis=1)
        if self.go_backwards:
            seq = _flip_time(seq)
        return ops.transpose(seq, [1, 0] + list(range(2, len(seq.shape))))


@contextlib.contextmanager
def _dropout_masks_drawn(cell, first, state, training):
    """A cell's dropout masks, drawn once for the whole sequence (shaped like its first timestep
    and state) while training, and dropped after it."""
    drawn = isinstance(cell, DropoutRNNCell)
    if drawn and training:
        cell.reset_dropout_mask()
        cell.reset_recurrent_dropout_mask()
        cell.get_dropout_mask(first)
        cell.get_recurrent_dropout_mask(state)
    try:
        yield
    finally:
        if drawn:
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()


def _generic_step(cell, training):
    """One timestep of a cell that only has Keras's `call(inputs, states)`."""
    def step(inputs, states):
        if isinstance(cell, Layer):
            kwargs = {"training": training} if cell._accepts("training") else {}
            return cell(inputs, states, **kwargs)
        return cell.call(inputs, states)
    return step


def _as_tensor(seq):
    return ops.stack(seq, axis=0) if isinstance(seq, list) else seq


def _as_steps(seq):
    return list(seq) if isinstance(seq, list) else ops.unstack(seq, axis=0)


def _zeros_like_rows(like, size):
    """Zeros (batch, size) for the batch of `like` (batch, ...), also when batch is dynamic:
    Where(like's rows > inf (never), 0, 0) broadcast to (batch, size). Unlike ConstantOfShape,
    onnxruntime infers its shape, and it carries no gradient back to `like`."""
    if like.shape[0] is not None:
        return np.zeros((like.shape[0], size), like.dtype)
    rows = ops.max(like, axis=list(range(1, len(like.shape))), keepdims=True) if len(like.shape) > 1 else like
    rows = ops.reshape(rows, (None, 1))
    never = ops.greater(rows, np.array(np.inf, like.dtype))
    return ops.where(never, np.zeros((1, 1), like.dtype), np.zeros((1, size), like.dtype))


def _flip_time(seq_tm):
    """Reverse a time-major tensor along time (also with a dynamic number of timesteps)."""
    if seq_tm.shape[0] is not None:
        return ops.flip(seq_tm, 0)
    ones = ops.ones_like(seq_tm)
    per_row = ops.sum(ones, axis=[0] + list(range(2, len(seq_tm.shape))))  # T * features, per row
    lengths = ops.divide(per_row, float(np.prod(seq_tm.shape[2:])))
    return ops.reverse_sequence(seq_tm, ops.cast(lengths, "int64"), time_axis=0, batch_axis=1)



def _is_int(size):
    return isinstance(size, (int, np.integer))


# -- shared by the built-in cells and layers (SimpleRNN, LSTM, GRU) ---------------------------


def store_cell_settings(cell, activation, use_bias, kernel_initializer, recurrent_initializer,
                        bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
                        kernel_constraint, recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                        seed):
    """The arguments every Keras recurrent cell takes, resolved and checked, set on `cell`."""
    who = type(cell).__name__
    cell.activation = activations.get(activation)
    cell.use_bias = bool(use_bias)
    cell.kernel_initializer = initializers.get(kernel_initializer)
    cell.recurrent_initializer = initializers.get(recurrent_initializer)
    cell.bias_initializer = initializers.get(bias_initializer)
    cell.kernel_regularizer = regularizers.get(kernel_regularizer)
    cell.recurrent_regularizer = regularizers.get(recurrent_regularizer)
    cell.bias_regularizer = regularizers.get(bias_regularizer)
    cell.kernel_constraint = constraints.get(kernel_constraint)
    cell.recurrent_constraint = constraints.get(recurrent_constraint)
    cell.bias_constraint = constraints.get(bias_constraint)
    cell.dropout = check_rate(dropout, who, "dropout")
    cell.recurrent_dropout = check_rate(recurrent_dropout, who, "recurrent_dropout")
    cell.seed = seed


def check_units(units, who):
    import numbers

    if not isinstance(units, numbers.Integral) or isinstance(units, bool) or units <= 0:
        raise ValueError(f"{who}(units=...) needs a positive integer, got {units!r}")
    return int(units)


def check_rate(rate, who, what):
    import numbers

    if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
        raise TypeError(f"{who}({what}=...) must be a number in [0, 1), got {rate!r}")
    return min(1.0, max(0.0, float(rate)))  # clamped, as Keras does


def check_legacy_args(kwargs, who):
    """Keras 1 argument names: say which Keras 2/3 name to use."""
    for old, new in (("output_dim", "units"), ("init", "kernel_initializer"),
                     ("inner_init", "recurrent_initializer"), ("inner_activation", "recurrent_activation"),
                     ("forget_bias_init", "unit_forget_bias")):
        if old in kwargs:
            raise TypeError(f"{who}() got the Keras 1 argument {old!r}: use {new!r}")


def cell_settings_config(cell):
    """The config entries for what store_cell_settings set (Keras's names and forms)."""
    return {"activation": activations.serialize(cell.activation), "use_bias": cell.use_bias,
            "kernel_initializer": initializers.serialize(cell.kernel_initializer),
            "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
            "bias_initializer": initializers.serialize(cell.bias_initializer),
            "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
            "kernel_constraint": constraints.serialize(cell.kernel_constraint),
            "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
            "bias_constraint": constraints.serialize(cell.bias_constraint),
            "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout, "seed": cell.seed}


def states_from_list_call(inputs, args, kwargs):
    """Keras 2 took initial_state along with the sequences as one list, layer([x, *states]), and
    wrote such calls that way in its files: (x, kwargs with initial_state=states)."""
    if isinstance(inputs, (list, tuple)) and len(inputs) > 1 and not args and kwargs.get("initial_state") is None:
        return inputs[0], {**kwargs, "initial_state": list(inputs[1:])}
    return inputs, kwargs


def zero_initial_state(cell, batch_size=None):
    """Keras's `cell.get_initial_state(batch_size)`: zeros, one array per state."""
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    return [np.zeros((batch_size, s), cell.dtype) for s in sizes]


class CellLayer(RNN):
    """Base of SimpleRNN, LSTM and GRU: an RNN over one built-in cell, whose arguments are
    the layer's (read through `layer.units`, `layer.activation`, ...) and whose config is
    flattened into the layer's, as in Keras."""

    _CELL_ATTRS = ()

    def __getattr__(self, name):
        if name in type(self)._CELL_ATTRS and "cell" in self.__dict__:
            return getattr(self.__dict__["cell"], name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def get_config(self):
        config = super().get_config()
        config.pop("cell")
        cell_config = self.cell.get_config()
        for key in Layer.get_config(self.cell):
            cell_config.pop(key, None)
        return {**config, **cell_config}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(**config)
