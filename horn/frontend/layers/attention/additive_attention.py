"""AdditiveAttention: Bahdanau-style attention over [query, value(, key)]."""

from ... import ops
from .attention import Attention


class AdditiveAttention(Attention):
    """Additive attention (Bahdanau), Keras 3's `keras.layers.AdditiveAttention`.

    scores[b, i, j] = sum_d scale[d] * tanh(query[b, i, d] + key[b, j, d]); masking, softmax,
    dropout and the output are as in `Attention`.

    Args:
        use_scale: learn the per-feature `scale` (dim,) (Glorot-uniform initialised; default
            True); without it the tanh terms are summed as they are.
        dropout: fraction of the attention weights dropped in training.
        seed: seed of the dropout.

    Call arguments, shapes: as `Attention`.

    Example: `AdditiveAttention()([query, value, key])`.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)  # written by configs that went through Attention's
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        query_shape, _, _ = self._check_shapes(input_shape)
        self.scale = None
        if self.use_scale:
            dim = query_shape[-1]
            if dim is None:
                raise ValueError(f"Layer '{self.name}' (AdditiveAttention) needs the last axis of its query to be "
                                 f"known, got query shape {query_shape}")
            self.scale = self.add_weight(name="scale", shape=(dim,), initializer="glorot_uniform")

    def _scores(self, query, key):
        pairs = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            pairs = ops.multiply(self.scale, pairs)
        return ops.sum(pairs, axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
