"""Attention: Luong-style dot-product attention over [query, value(, key)]."""

import numbers

import numpy as np

from ... import ops
from ..layer import Layer

_SCORE_MODES = ("dot", "concat")
# Keras subtracts this from masked scores (not -inf): a row whose keys are all masked then gets
# the softmax of its scores shifted by the same constant, as in Keras.
_MASKED_SCORE_SHIFT = 1.0e9


class Attention(Layer):
    """Dot-product attention (Luong), Keras 3's `keras.layers.Attention`.

    scores = query @ key^T (times the learnt `scale` when use_scale), or with score_mode='concat'
    `concat_score_weight * sum(tanh(scale * (query_i + key_j)))`; the keys a `value_mask` drops
    (and with use_causal_mask the later steps) get the score lowered by 1e9; the softmax over the
    keys (with dropout in training) weighs `value`; query steps a `query_mask` drops output 0.

    Args:
        use_scale: learn a scalar that multiplies the scores (initialised to 1).
        score_mode: 'dot' (default) or 'concat'.
        dropout: fraction of the attention weights dropped in training.
        seed: seed of the dropout.

    Call arguments:
        inputs: [query (batch, Tq, dim), value (batch, Tv, dim_v)] or [query, value, key] with key
            (batch, Tv, dim); without key, value serves as key.
        mask: [query_mask (batch, Tq), value_mask (batch, Tv)]; by default the inputs' masks
            (e.g. from Embedding(mask_zero=True)).
        return_attention_scores: also return the attention weights (batch, Tq, Tv).
        training: whether dropout is active.
        use_causal_mask: query step i attends to key steps j <= i only.

    Shapes: output (batch, Tq, dim_v); its mask is the query's mask.

    Example: `Attention()([query, value])`.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in _SCORE_MODES:
            raise ValueError(f"{type(self).__name__}(score_mode=...) must be one of {list(_SCORE_MODES)}, "
                             f"got {score_mode!r}")
        _check_dropout(type(self).__name__, dropout)
        self.use_scale = bool(use_scale)
        self.score_mode = score_mode
        self.dropout = float(dropout)
        self.seed = seed
        self.supports_masking = True

    def build(self, input_shape):
        query_shape, value_shape, key_shape = self._check_shapes(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")

    def _check_shapes(self, input_shape):
        """(query, value, key) shapes, after checking that they fit together."""
        name = type(self).__name__
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not isinstance(input_shape[0], (list, tuple)) or not 2 <= len(input_shape) <= 3:
            raise ValueError(f"Layer '{self.name}' ({name}) must be called on a list of inputs, [query, value] "
                             f"or [query, value, key], but got inputs of shape(s) {input_shape!r}")
        query, value = (tuple(s) for s in input_shape[:2])
        key = tuple(input_shape[2]) if len(input_shape) > 2 else value
        for what, shape in (("query", query), ("value", value), ("key", key)):
            if len(shape) < 3:
                raise ValueError(f"Layer '{self.name}' ({name}) expected {what} of shape (batch, steps, dim), "
                                 f"but got shape {shape}")
        if query[-1] != key[-1]:
            which = "key" if len(input_shape) > 2 else "value (which serves as the key)"
            raise ValueError(f"Layer '{self.name}' ({name}) expected the query and the {which} to have the "
                             f"same last axis, but got query shape {query} and {which.split()[0]} shape {key}")
        if None not in (value[-2], key[-2]) and value[-2] != key[-2]:
            raise ValueError(f"Layer '{self.name}' ({name}) expected value and key to have the same number of "
                             f"steps, but got value shape {value} and key shape {key}")
        return query, value, key

    def _scores(self, query, key):
        """(batch, Tq, Tv) raw scores."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, _swap_last_two(len(key.shape))))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        pairs = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(pairs), axis=-1))

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        self._check_shapes([tuple(t.shape) for t in inputs] if isinstance(inputs, (list, tuple)) else inputs)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = _split_mask(self, mask)
        scores = self._scores(query, key)
        keep = None if value_mask is None else ops.expand_dims(ops.cast(value_mask, "bool"), -2)
        if use_causal_mask:
            causal = causal_mask(scores)
            keep = causal if keep is None else ops.logical_and(keep, causal)
        if keep is not None:
            scores = ops.where(keep, scores, ops.subtract(scores, np.asarray(_MASKED_SCORE_SHIFT, scores.dtype)))
        weights = ops.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = ops.dropout(weights, self.dropout, seed=self.seed)
        output = ops.matmul(weights, value)
        if query_mask is not None:
            keep_rows = ops.expand_dims(ops.cast(query_mask, "bool"), -1)
            output = ops.where(keep_rows, output, ops.zeros_like(output))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        """The query's mask, on the output only (not on the attention scores), as Keras."""
        query_mask, _ = _split_mask(self, mask)
        return [query_mask]

    def compute_output_shape(self, input_shape):
        query, value, _ = self._check_shapes(input_shape)
        return query[:-1] + (value[-1],)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


def _split_mask(layer, mask):
    """(query_mask, value_mask) from Keras's mask list [query_mask, value_mask(, key_mask)]."""
    if mask is None:
        return None, None
    if not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3:
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) expected mask to be a list "
                         f"[query_mask, value_mask], but got {mask!r}")
    return mask[0], mask[1]


def _swap_last_two(rank):
    return list(range(rank - 2)) + [rank - 1, rank - 2]


def causal_mask(scores):
    """(1, Tq, Tv) boolean, true where query step i may see key step j (j <= i, the lower
    triangle): a constant when both lengths are known, else built from the lengths read at run
    time."""
    rank = len(scores.shape)
    tq, tv = scores.shape[-2], scores.shape[-1]
    if tq is not None and tv is not None:
        return np.tril(np.ones((1, tq, tv), bool))
    rows = np.arange(tq) if tq is not None else ops.arange(ops.take(ops.dynamic_shape(scores), rank - 2, axis=0))
    cols = np.arange(tv) if tv is not None else ops.arange(ops.take(ops.dynamic_shape(scores), rank - 1, axis=0))
    return ops.greater_equal(ops.reshape(rows, (1, -1, 1)), ops.reshape(cols, (1, 1, -1)))


def _check_dropout(name, rate):
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool) or not 0 <= rate < 1:
        raise ValueError(f"{name}(dropout=...) must be a number in [0, 1), got {rate!r}")
