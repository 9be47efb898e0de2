"""Embedding: integer ids -> rows of a trainable (input_dim, output_dim) table."""

import numbers

import numpy as np

from ... import constraints, initializers, ops, regularizers
from ..layer import Layer


class Embedding(Layer):
    """Turns non-negative integer ids into dense vectors: `embeddings[ids]`.

    Args:
        input_dim: vocabulary size (largest id + 1).
        output_dim: size of each vector.
        embeddings_initializer: default 'uniform' (U(-0.05, 0.05)).
        embeddings_regularizer, embeddings_constraint, activity_regularizer: as in Keras.
        mask_zero: id 0 is padding: the layer emits the mask `ids != 0`, which RNNs, TimeDistributed
            and the loss honour (so input_dim should count the padding id).
        input_length: Keras 2's fixed sequence length; declares the input shape (batch, input_length).

    Shapes: (batch, ...) integer ids (int32/int64; other dtypes are cast) -> (batch, ..., output_dim).
    The gradient of the table is dense: ScatterND add of the output gradient into zeros.

    Example: `Embedding(20000, 128, mask_zero=True)` on `Input((80,), dtype="int32")`.
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Embedding({arg}=...) needs a positive integer, got {value!r}")
        if input_length is not None and not any(k in kwargs for k in ("input_shape", "batch_input_shape",
                                                                       "batch_shape")):
            length = tuple(input_length) if isinstance(input_length, (list, tuple)) else (input_length,)
            kwargs["input_shape"] = length
        kwargs.setdefault("input_dtype", "int32")  # the model input it declares carries ids
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length
        self.supports_masking = self.mask_zero

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(name="embeddings", shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        return ops.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, np.zeros((), inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                  "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                  "embeddings_regularizer": _ser(self.embeddings_regularizer),
                  "activity_regularizer": _ser(self.activity_regularizer),
                  "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
                  "mask_zero": self.mask_zero}
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config


def _ser(obj):
    return None if obj is None else {"class_name": type(obj).__name__, "config": obj.get_config()}
