"""Identity: a layer that passes its inputs through (Keras 3's placeholder layer)."""

from ..layer import Layer


class Identity(Layer):
    """Returns its inputs unchanged (a tensor or a structure of tensors), masks included.

    Useful as a placeholder where a model's structure needs a layer but no computation, e.g.
    `projection = Dense(64) if reshape else Identity()`.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
