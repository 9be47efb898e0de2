"""The four projections inside MultiHeadAttention (Keras 3's EinsumDense sublayers).

Keras 3 builds them as EinsumDense layers with equations such as `abc,cde->abde` (query, key,
value: (dim,) -> (num_heads, head_dim)) and `abcd,cde->abe` (output: (num_heads, head_dim) ->
(dim,)). Both are an ordinary matrix product once the contracted axes and the produced axes are
each folded into one: this layer keeps Keras's kernel and bias shapes (so that weights copy over
and files load as they are) and computes with reshape + matmul, which stay valid when the batch
and sequence axes are unknown (None).
"""

import numpy as np

from ... import constraints, initializers, ops, regularizers
from ..layer import Layer


class AttentionProjection(Layer):
    """y[..., *out_dims] = sum over in_dims of x[..., *in_dims] * kernel[*in_dims, *out_dims] + bias.

    Args:
        in_dims: sizes of the trailing input axes that are contracted (e.g. (dim,)).
        out_dims: sizes of the trailing output axes that are produced (e.g. (heads, key_dim)).
        use_bias: add a bias of shape `out_dims`.
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
        kernel_constraint, bias_constraint, activity_regularizer: as in Dense.

    Shapes: (batch, seq, *in_dims) -> (batch, seq, *out_dims).
    """

    def __init__(self, in_dims, out_dims, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.in_dims = tuple(int(d) for d in in_dims)
        self.out_dims = tuple(int(d) for d in out_dims)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape=None):
        self.kernel = self.add_weight(name="kernel", shape=self.in_dims + self.out_dims,
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight(name="bias", shape=self.out_dims, initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None

    def call(self, inputs):
        n_in, n_out = len(self.in_dims), len(self.out_dims)
        lead = len(inputs.shape) - n_in
        if tuple(inputs.shape[lead:]) != self.in_dims:
            raise ValueError(f"Layer '{self.name}' expected its input to end in axes {self.in_dims}, but got "
                             f"input shape {tuple(inputs.shape)}")
        fan_in, fan_out = int(np.prod(self.in_dims)), int(np.prod(self.out_dims))
        x = inputs if n_in == 1 else ops.reshape(inputs, [None] * lead + [fan_in])
        kernel = self.kernel if n_in == 1 and n_out == 1 else ops.reshape(self.kernel, (fan_in, fan_out))
        y = ops.matmul(x, kernel)
        if n_out > 1:
            y = ops.reshape(y, [None] * lead + list(self.out_dims))
        if self.bias is not None:
            y = ops.add(y, self.bias)
        return y

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:len(input_shape) - len(self.in_dims)]) + self.out_dims
