"""MultiHeadAttention: scaled dot-product attention with several heads (Keras 3's layer)."""

import math
import numbers

import numpy as np

from ... import constraints, initializers, ops, regularizers, tracing
from ..layer import Layer
from .attention import _check_dropout, causal_mask
from .projection import AttentionProjection

# Keras's Softmax(mask=...) puts this where the mask is false (not -inf, so that a row with
# every key masked stays finite).
_MASKED_SCORE = -1.0e9


class MultiHeadAttention(Layer):
    """Multi-head attention, as in "Attention is all you need" (Keras 3's layer, same weights).

    query, key and value are projected to `num_heads` heads (kernels (dim, num_heads, key_dim),
    biases (num_heads, key_dim)); each head's scores are query·key / sqrt(key_dim), masked, put
    through a softmax over the key steps (with dropout in training) and weigh the projected value;
    the heads are projected back by `attention_output` (kernel (num_heads, value_dim, dim)). The
    weights are the sublayers query, key, value and attention_output, in that order, as in Keras.

    Masks: the query's and value's (and key's) Keras masks (e.g. from Embedding(mask_zero=True)),
    `attention_mask` (batch, Tq, Tk) and the causal mask are combined with a logical and. As Keras
    does, the query's mask is taken from the query tensor itself (an explicit `query_mask` is
    ignored), and a query step with no key left to see gets zeros as attention scores where
    Keras takes its explicit path (dropout > 0 or return_attention_scores), uniform ones otherwise.
    The output carries the query's mask.

    Args:
        num_heads: number of heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default: key_dim).
        dropout: fraction of the attention probabilities dropped in training.
        use_bias: whether the four projections have biases.
        output_shape: the trailing shape of the output (int or tuple; default: the query's dim).
        attention_axes: the axes attention runs over; only axis 1 of (batch, steps, dim) inputs
            (the default) is supported.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        activity_regularizer, kernel_constraint, bias_constraint: for the four projections.
        use_gate: gate the heads with sigmoid(gate(query)) before the output projection.
        sliding_window: query step i sees only key steps j with |i - j| < sliding_window.
        seed: seed of the dropout.

    Call arguments: query (batch, Tq, dim), value (batch, Tv, dim_v), key (batch, Tv, dim_k)
        (default: value), query_mask, value_mask, key_mask (batch, T) booleans,
        attention_mask (batch, Tq, Tv), return_attention_scores, training, use_causal_mask.

    Shapes: output (batch, Tq, dim) (or (batch, Tq, *output_shape)); scores
        (batch, num_heads, Tq, Tv).

    Example: `MultiHeadAttention(num_heads=2, key_dim=16)(x, x, use_causal_mask=True)`.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, sliding_window=None, flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None, **kwargs):
        for arg, value, optional in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                     ("value_dim", value_dim, True), ("sliding_window", sliding_window, True)):
            if not (optional and value is None) and not _positive_int(value):
                raise ValueError(f"MultiHeadAttention({arg}=...) expected a positive integer"
                                 f"{' or None' if optional else ''}, but got {arg}={value!r}")
        _check_dropout("MultiHeadAttention", dropout)
        super().__init__(**kwargs)
        self.supports_masking = True
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self._output_shape = _as_shape(output_shape)  # `output_shape` is the base class's property
        self.attention_axes = _as_axes(attention_axes)
        self.sliding_window = sliding_window
        self.flash_attention = flash_attention  # a speed hint of Keras's backends: horn's path is one
        self.use_gate = bool(use_gate)
        self.seed = seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.sublayer_activity_regularizer = regularizers.get(activity_regularizer)  # Keras gives it to the four
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.query_dense = None

    # -- building -------------------------------------------------------------------------
    def build(self, query_shape, value_shape=None, key_shape=None):
        """Create the projections. Called with the query's shape alone (horn's first call),
        it waits for call() to see value and key."""
        if value_shape is None:
            return
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        self._check_shapes(query_shape, value_shape, key_shape)
        heads = self.num_heads
        self.query_dense = self._projection("query", (query_shape[-1],), (heads, self.key_dim))
        self.key_dense = self._projection("key", (key_shape[-1],), (heads, self.key_dim))
        if self.use_gate:  # Keras builds it between key and value: that is its place among the weights
            self._gate_dense = self._projection("gate", (query_shape[-1],), (heads, self.value_dim))
        self.value_dense = self._projection("value", (value_shape[-1],), (heads, self.value_dim))
        self.output_dense = self._projection("attention_output", (heads, self.value_dim),
                                             self._output_shape or (query_shape[-1],))
        self.attention_axes = (1,)  # as Keras, the resolved axes (its configs then say [1])

    def _projection(self, name, in_dims, out_dims):
        clone = lambda obj, module: None if obj is None else module.get(module.serialize(obj))  # noqa: E731
        layer = AttentionProjection(
            in_dims, out_dims, use_bias=self.use_bias, name=name, dtype=self.dtype,
            kernel_initializer=clone(self.kernel_initializer, initializers),
            bias_initializer=clone(self.bias_initializer, initializers),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
            activity_regularizer=self.sublayer_activity_regularizer)
        layer.build()
        layer.built = True
        for w in layer.weights:  # Keras's names: mha/query/kernel (what its HDF5 files hold)
            w.name = w.path = f"{self.name}/{w.name}"
        return layer

    def _check_shapes(self, query_shape, value_shape, key_shape):
        who = f"Layer '{self.name}' (MultiHeadAttention)"
        if value_shape[1:-1] != key_shape[1:-1] and None not in value_shape[1:-1] + key_shape[1:-1]:
            raise ValueError(f"{who} expected value and key to agree on every axis but the last, but got value "
                             f"shape {value_shape} and key shape {key_shape}")
        if not len(query_shape) == len(value_shape) == len(key_shape) == 3:
            raise NotImplementedError(
                f"{who} supports query, value and key of shape (batch, steps, dim), attending over axis 1, but "
                f"got shapes {query_shape}, {value_shape}, {key_shape}: inputs of other ranks (attention over "
                f"several axes) are not implemented")
        if self.attention_axes not in (None, (1,), (-2,)):
            raise NotImplementedError(f"{who} supports attention over axis 1 of (batch, steps, dim) inputs only "
                                      f"(attention_axes=None or 1), but got attention_axes={self.attention_axes}")
        for what, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if shape[-1] is None:
                raise ValueError(f"{who} needs the last axis of the {what} to be known, got {what} shape {shape}")

    # -- calling --------------------------------------------------------------------------
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        key_given = key is not None
        key = value if key is None else key
        if self.query_dense is None:
            self.build(query.shape, value.shape, key.shape)
        self._check_shapes(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        # As Keras: the query's own mask (not the argument), the others' when not given.
        query_mask = tracing.mask_of(query)
        value_mask = tracing.mask_of(value) if value_mask is None else value_mask
        key_mask = tracing.mask_of(key) if key_mask is None and key_given else key_mask

        q = self.query_dense(query)  # (batch, Tq, heads, key_dim)
        k = self.key_dense(key)  # (batch, Tv, heads, key_dim)
        gate = ops.sigmoid(self._gate_dense(query)) if self.use_gate else None
        v = self.value_dense(value)  # (batch, Tv, heads, value_dim)
        # Keras's explicit path (scores it can return, dropout) zeroes fully masked rows; its fused
        # dot_product_attention path (jax) leaves them uniform.
        explicit = self.dropout > 0 or return_attention_scores
        scale = np.asarray(1.0 / math.sqrt(float(self.key_dim)), q.dtype)
        q_heads = ops.transpose(q, (0, 2, 1, 3))  # (batch, heads, Tq, key_dim)
        if explicit:
            q_heads = ops.multiply(q_heads, scale)
        scores = ops.matmul(q_heads, ops.transpose(k, (0, 2, 3, 1)))  # (batch, heads, Tq, Tv)
        if not explicit:
            scores = ops.multiply(scores, scale)
        mask = self._attention_mask(scores, query_mask, value_mask, key_mask, attention_mask, use_causal_mask)
        if mask is not None:
            scores = ops.where(mask, scores, np.asarray(_MASKED_SCORE, scores.dtype))
        probs = ops.softmax(scores, axis=-1)
        if mask is not None and explicit:
            probs = ops.where(mask, probs, np.zeros((), probs.dtype))
        weights = ops.dropout(probs, self.dropout, seed=self.seed) if training and self.dropout > 0 else probs
        heads = ops.matmul(weights, ops.transpose(v, (0, 2, 1, 3)))  # (batch, heads, Tq, value_dim)
        heads = ops.transpose(heads, (0, 2, 1, 3))
        if gate is not None:
            heads = ops.multiply(heads, gate)
        output = self.output_dense(heads)
        return (output, probs) if return_attention_scores else output

    def _attention_mask(self, scores, query_mask, value_mask, key_mask, attention_mask, use_causal_mask):
        """The (batch or 1, 1, Tq, Tv) boolean mask of the scores (None: nothing masked)."""
        parts = []
        if query_mask is not None:
            parts.append(ops.expand_dims(ops.cast(query_mask, "bool"), -1))  # (batch, Tq, 1)
        for m in (value_mask, key_mask):
            if m is not None:
                parts.append(ops.expand_dims(ops.cast(m, "bool"), -2))  # (batch, 1, Tv)
        if use_causal_mask:
            parts.append(causal_mask(scores))  # (1, Tq, Tv)
        if self.sliding_window is not None:
            parts.append(self._window_mask(scores))
        if attention_mask is not None:
            attention_mask = ops.cast(attention_mask, "bool") if attention_mask.dtype != np.bool_ else attention_mask
            if len(attention_mask.shape) > 4:
                raise ValueError(f"Layer '{self.name}' (MultiHeadAttention) expected attention_mask of shape "
                                 f"(batch, Tq, Tv), but got shape {tuple(attention_mask.shape)}")
            parts.insert(0, attention_mask)
        if not parts:
            return None
        mask = parts[0]
        for part in parts[1:]:
            mask = ops.logical_and(mask, part)
        while len(mask.shape) < 4:  # the heads axis
            mask = ops.expand_dims(mask, -3)
        return mask

    def _window_mask(self, scores):
        tq, tv = scores.shape[-2], scores.shape[-1]
        size = lambda n, axis: n if n is not None else ops.take(ops.dynamic_shape(scores), axis, axis=0)  # noqa: E731
        rows = ops.reshape(ops.arange(size(tq, 2)), (1, -1, 1))
        cols = ops.reshape(ops.arange(size(tv, 3)), (1, 1, -1))
        distance = ops.abs(ops.subtract(rows, cols))
        return ops.less(distance, np.asarray(self.sliding_window, np.int64))

    def compute_mask(self, inputs, mask=None):
        """The query's mask, on the output only (not on the scores), as Keras."""
        return [mask]

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        return query_shape[:-1] + (self._output_shape or (query_shape[-1],))

    def get_config(self):
        ser = lambda module, obj: None if obj is None else module.serialize(obj)  # noqa: E731
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "output_shape": self._output_shape,
                "attention_axes": self.attention_axes, "sliding_window": self.sliding_window,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": ser(regularizers, self.kernel_regularizer),
                "bias_regularizer": ser(regularizers, self.bias_regularizer),
                "activity_regularizer": ser(regularizers, self.sublayer_activity_regularizer),
                "kernel_constraint": ser(constraints, self.kernel_constraint),
                "bias_constraint": ser(constraints, self.bias_constraint), "seed": self.seed}


def _positive_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > 0


def _as_shape(output_shape):
    if output_shape is None or output_shape == () or output_shape == []:
        return None
    if isinstance(output_shape, numbers.Integral):
        return (int(output_shape),)
    try:
        return tuple(int(d) for d in output_shape)
    except (TypeError, ValueError):
        raise ValueError(f"MultiHeadAttention(output_shape=...) expected an int or a tuple of ints, but got "
                         f"{output_shape!r}") from None


def _as_axes(axes):
    if axes is None:
        return None
    if isinstance(axes, numbers.Integral):
        return (int(axes),)
    if not isinstance(axes, (list, tuple)):
        raise ValueError(f"MultiHeadAttention(attention_axes=...) expected an int, list or tuple, but got {axes!r}")
    return tuple(int(a) for a in axes)
