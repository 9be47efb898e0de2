"""ConvLSTM2D: an LSTM whose input and recurrent transforms are 2-D convolutions."""

import numbers

import numpy as np

from ... import activations, constraints, initializers, ops, regularizers
from ..convolutional import conv_utils as cu
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import normalize_data_format


class ConvLSTM2D(Layer):
    """Convolutional LSTM over a sequence of images (Shi et al., 2015), as Keras's ConvLSTM2D.

    Per step, with gates [i, f, c, o] stacked along the filters of each kernel:
        z = conv(x_t, kernel, strides, padding, dilation_rate) + bias + conv(h, recurrent_kernel, 'same')
        i, f, o = recurrent_activation(z_i, z_f, z_o);  c = f * c + i * activation(z_c)
        h = o * activation(c)
    The input convolution runs once for all timesteps (time folded into the batch), so each
    step only adds the recurrent convolution; internally everything is channels-first (NCHW).

    Args:
        filters, kernel_size, strides, padding ('valid' or 'same'), data_format, dilation_rate:
            of the input convolution (the recurrent one is stride 1, 'same').
        activation: default 'tanh'. recurrent_activation: default 'sigmoid' (Keras 3; Keras 2
            used 'hard_sigmoid': pass it to match a Keras 2 model).
        use_bias, kernel_initializer ('glorot_uniform'), recurrent_initializer ('orthogonal'),
        bias_initializer ('zeros'), unit_forget_bias (forget-gate bias starts at 1),
        *_regularizer, *_constraint: as in Keras.
        return_sequences, return_state, go_backwards: as in Keras's RNN layers.
        stateful: the final [h, c] of a batch start the next one (non-trainable `state_0/1`
            weights after the kernels, updated by training steps); needs a fixed batch size;
            `reset_states()` clears them.
        dropout, recurrent_dropout: fractions dropped from the input and the recurrent state
            (one mask per gate, fixed over the sequence), while training.
        zero_output_for_mask: masked steps output 0 instead of the previous output.
        unroll: one set of ops per timestep instead of a loop (ONNX Scan, the default).

    Shapes (channels_last): (batch, time, rows, cols, channels) -> (batch, [time,] new_rows, new_cols,
    filters); with return_state, [output, h, c]. time may be None (any length, read at run time)
    unless unroll=True. A (batch, time) mask keeps the state through
    masked steps (a finer mask, as Masking gives for frames, masks a step where all of it is).

    Example: `ConvLSTM2D(16, 3, padding="same", return_sequences=True)` on (None, 10, 32, 32, 1).
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, zero_output_for_mask=False, unroll=False,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        who = f"ConvLSTM2D '{self.name}'"
        self.filters = cu.positive_int(filters, "filters", who)
        self.kernel_size = cu.standardize_tuple(kernel_size, 2, "kernel_size", who)
        self.strides = cu.standardize_tuple(strides, 2, "strides", who)
        self.padding = cu.standardize_padding(padding, who, allow_causal=False)
        self.data_format = normalize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, 2, "dilation_rate", who)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{who}: strides > 1 cannot be combined with dilation_rate > 1, got "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        for name, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
                raise ValueError(f"{who}: {name} must be a number in [0, 1), got {rate!r}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), bool(stateful), bool(unroll)
        self.dropout, self.recurrent_dropout, self.seed = float(dropout), float(recurrent_dropout), seed
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=5)
        self.states = None

    # -- weights ------------------------------------------------------------------------------
    def build(self, input_shape):
        channels = input_shape[2] if self.data_format == "channels_first" else input_shape[-1]
        if channels is None or None in cu.spatial(input_shape[1:], self.data_format):
            raise ValueError(f"Layer '{self.name}' needs the channels and spatial sizes of its input known, "
                             f"got input shape {tuple(input_shape)}")
        f = self.filters
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels, 4 * f),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (f, 4 * f), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                def init(shape, dtype="float32", base=self.bias_initializer):  # [0, 1, 0, 0] per gate block
                    bias = np.asarray(base(shape, dtype=dtype)).copy()
                    bias[f:2 * f] = 1.0
                    return bias
            self.bias = self.add_weight(name="bias", shape=(4 * f,), initializer=init,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        axis = 2 if self.data_format == "channels_first" else -1
        self.input_spec = InputSpec(ndim=5, axes={axis: channels})
        if self.stateful and self.states is None:
            if input_shape[0] is None:
                raise ValueError(f"Layer '{self.name}' is stateful, so it needs a fixed batch size: give the first "
                                 f"layer batch_input_shape=(batch, ...); got input shape {tuple(input_shape)}")
            shape = self._step_output_shape(tuple(input_shape))
            self.states = [self.add_state(f"state_{k}", shape) for k in range(2)]  # not weights

    def reset_states(self, states=None):
        """Set a stateful layer's states [h, c] to zeros, or to the given arrays."""
        if self.states is None:
            return
        values = [None, None] if states is None else list(states)
        if len(values) != 2:
            raise ValueError(f"Layer '{self.name}' has 2 states (h, c), but reset_states() received {len(values)}")
        for var, value in zip(self.states, values):
            var.assign(np.zeros(var.shape, var.dtype) if value is None else np.asarray(value, var.dtype))

    reset_state = reset_states

    # -- the recurrence -----------------------------------------------------------------------
    def call(self, inputs, mask=None, training=False, initial_state=None):
        time = inputs.shape[1]
        if time is None and self.unroll:
            raise ValueError(f"Layer '{self.name}' needs a fixed number of timesteps: it was created with "
                             f"unroll=True (one set of ops per timestep). Got input shape {tuple(inputs.shape)}; "
                             "give the input a fixed length, or leave unroll=False (a loop that runs any length).")
        frames = _to_time_nchw(inputs, self.data_format)  # (B, T, C, H, W)
        step_shape = tuple(frames.shape[2:])
        training = bool(training)
        if training and self.dropout > 0:  # one mask per gate, the same at every step
            first = ops.expand_dims(ops.take(frames, np.array(0, np.int64), axis=1), 1)  # (B, 1, C, H, W)
            z_x = ops.concatenate(
                [self._input_conv(ops.reshape(ops.multiply(frames, m), (-1,) + step_shape), k, b)
                 for m, k, b in zip(self._dropout_masks(first, self.dropout), ops.split(self.kernel, 4, axis=-1),
                                    self._bias_parts())], axis=1)
        else:
            z_x = self._input_conv(ops.reshape(frames, (-1,) + step_shape), self.kernel, self.bias)
        if time is not None:  # (B, T, 4f, h, w)
            z_x = ops.reshape(z_x, [-1, time] + list(z_x.shape[1:]))
        else:  # batch and time read at run time
            z_x = ops.reshape(z_x, ops.concatenate([ops.dynamic_shape(frames, 0, 2),
                                                    np.array(z_x.shape[1:], np.int64)]))
        steps = ops.unstack(z_x, axis=1) if self.unroll else None
        step_masks = None if mask is None else _step_mask(mask)  # (B, T)

        if initial_state is None and self.stateful:
            initial_state = self.states
        if initial_state is not None:
            h, c = [_to_nchw(s, self.data_format) for s in initial_state]
        else:
            h = c = None  # zero state: the first step needs no recurrent convolution
        rec_masks = None
        first = steps[0] if steps is not None else ops.max(z_x, axis=1)  # shaped like one step
        if training and self.recurrent_dropout > 0:  # shaped like h: (B, f, h, w)
            rec_masks = self._dropout_masks(ops.split(first, 4, axis=1)[0], self.recurrent_dropout)

        def step(z, h, c, keep, prev_out):
            if h is not None:
                z = ops.add(z, self._recurrent_conv(h, rec_masks))
            z_i, z_f, z_c, z_o = ops.split(z, 4, axis=1)
            i = self.recurrent_activation(z_i)
            new_c = ops.multiply(i, self.activation(z_c))
            if c is not None:
                new_c = ops.add(ops.multiply(self.recurrent_activation(z_f), c), new_c)
            new_h = ops.multiply(self.recurrent_activation(z_o), self.activation(new_c))
            out = new_h
            if keep is not None:
                keep = ops.reshape(keep, (-1, 1, 1, 1))
                zero = ops.zeros_like(new_h)
                new_h = ops.where(keep, new_h, zero if h is None else h)
                new_c = ops.where(keep, new_c, zero if c is None else c)
                held = zero if self.zero_output_for_mask or prev_out is None else prev_out
                out = ops.where(keep, out, held)
            return new_h, new_c, out

        if steps is None:  # one loop (ONNX Scan) over the timesteps, outputs in time order
            zero = ops.zeros_like(ops.split(first, 4, axis=1)[0])
            h, c = zero if h is None else h, zero if c is None else c
            carry_prev = step_masks is not None
            xs = [ops.transpose(z_x, [1, 0, 2, 3, 4])]
            if carry_prev:
                xs.append(ops.transpose(step_masks, [1, 0]))

            def body(carry, x_t):
                new_h, new_c, out = step(x_t[0], carry[0], carry[1], x_t[1] if carry_prev else None,
                                         carry[2] if carry_prev else None)
                return [new_h, new_c] + ([out] if carry_prev else []), out

            init = [h, c] + ([zero] if carry_prev else [])  # a masked first step outputs zeros
            carry, seq = ops.scan(body, init, xs, reverse=self.go_backwards)
            h, c = carry[0], carry[1]
            seq = ops.transpose(seq, [1, 0, 2, 3, 4])  # (B, T, f, h, w), time order
            outputs = ops.flip(seq, 1) if self.go_backwards else seq  # processing order, as Keras
            last = carry[2] if carry_prev else h
        else:
            masks = None if step_masks is None else ops.unstack(step_masks, axis=1)
            order = list(range(time))[::-1] if self.go_backwards else list(range(time))
            outputs, prev_out = [], None
            for t in order:
                h, c, prev_out = step(steps[t], h, c, None if masks is None else masks[t], prev_out)
                outputs.append(prev_out)
            last = outputs[-1]
            outputs = ops.stack(outputs, axis=1)

        if self.stateful:
            for var, value in zip(self.states, (h, c)):
                self.add_update(var, _from_nchw(value, self.data_format))
        if self.return_sequences:
            output = _from_time_nchw(outputs, self.data_format)
        else:
            output = _from_nchw(last, self.data_format)
        if self.return_state:
            return [output, _from_nchw(h, self.data_format), _from_nchw(c, self.data_format)]
        return output

    def _bias_parts(self):
        return ops.split(self.bias, 4, axis=0) if self.use_bias else [None] * 4

    def _input_conv(self, x, kernel, bias):
        return ops.conv(x, kernel, strides=self.strides, padding=self.padding, data_format="channels_first",
                        dilation_rate=self.dilation_rate, bias=bias)

    def _recurrent_conv(self, h, rec_masks):
        if rec_masks is None:
            return ops.conv(h, self.recurrent_kernel, padding="same", data_format="channels_first")
        return ops.concatenate([ops.conv(ops.multiply(h, m), k, padding="same", data_format="channels_first")
                                for m, k in zip(rec_masks, ops.split(self.recurrent_kernel, 4, axis=-1))],
                               axis=1)

    def _dropout_masks(self, like, rate):
        return [ops.dropout_mask(like, rate, seed=None if self.seed is None else self.seed + k) for k in range(4)]

    # -- shapes and config --------------------------------------------------------------------
    def _step_output_shape(self, input_shape):
        sizes = [cu.conv_output_length(n, k, self.padding, s, d, f"Layer '{self.name}'", input_shape)
                 for n, k, s, d in zip(cu.spatial(input_shape[1:], self.data_format), self.kernel_size,
                                       self.strides, self.dilation_rate)]
        return cu.with_channels(input_shape[0], sizes, self.filters, self.data_format)

    def compute_output_shape(self, input_shape):
        state = self._step_output_shape(tuple(input_shape))
        output = (state[0], input_shape[1]) + state[1:] if self.return_sequences else state
        return [output, state, state] if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        out_mask = mask if self.return_sequences else None
        return [out_mask, None, None] if self.return_state else out_mask

    def get_config(self):
        ser = initializers.serialize
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias, "kernel_initializer": ser(self.kernel_initializer),
                "recurrent_initializer": ser(self.recurrent_initializer),
                "bias_initializer": ser(self.bias_initializer), "unit_forget_bias": self.unit_forget_bias,
                "kernel_regularizer": _ser(self.kernel_regularizer),
                "recurrent_regularizer": _ser(self.recurrent_regularizer),
                "bias_regularizer": _ser(self.bias_regularizer),
                "activity_regularizer": _ser(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful, "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "zero_output_for_mask": self.zero_output_for_mask, "unroll": self.unroll}


def _step_mask(mask):
    """A (batch, time) boolean mask; a finer one (Masking on 5-D frames gives (batch, time, rows,
    cols)) keeps a step where any of its entries is kept."""
    if len(mask.shape) == 2:
        return ops.cast(mask, "bool")
    kept = ops.max(ops.cast(mask, "float32"), axis=list(range(2, len(mask.shape))))
    return ops.greater(kept, np.zeros((), np.float32))


def _ser(obj):
    return None if obj is None else {"class_name": type(obj).__name__, "config": obj.get_config()}


def _to_time_nchw(x, data_format):
    """(B, T, H, W, C) or (B, T, C, H, W) -> (B, T, C, H, W)."""
    return x if data_format == "channels_first" else ops.transpose(x, [0, 1, 4, 2, 3])


def _from_time_nchw(x, data_format):
    return x if data_format == "channels_first" else ops.transpose(x, [0, 1, 3, 4, 2])


def _to_nchw(x, data_format):
    return x if data_format == "channels_first" else ops.transpose(x, [0, 3, 1, 2])


def _from_nchw(x, data_format):
    return x if data_format == "channels_first" else ops.transpose(x, [0, 2, 3, 1])
