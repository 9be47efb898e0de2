"""LayerNormalization: normalize each sample over the given axes, then scale and shift."""

from ... import initializers, ops, regularizers
from ..layer import Layer
from .gamma_beta import gamma_beta_config


class LayerNormalization(Layer):
    """y = (x - mean) / sqrt(var + epsilon) * gamma + beta, statistics over `axis` per sample.

    Args:
        axis: int or list of ints (default -1); gamma and beta have the shape of those axes.
        epsilon: 1e-3 (Keras's default). center/scale: learn beta/gamma.
        rms_scaling: Keras 3's RMS normalization (no centering; x / sqrt(mean(x^2) + eps) * gamma).
    Weights, in Keras's order: gamma, beta.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon, self.center, self.scale, self.rms_scaling = float(epsilon), center, scale, rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.supports_masking = True

    def _axes(self, rank):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        return sorted(a % rank for a in axes)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self._axes(rank)
        if any(a == 0 for a in axes):
            raise ValueError(f"Layer '{self.name}' (LayerNormalization) cannot normalize over the batch axis")
        shape = tuple(input_shape[a] for a in axes)
        self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center and not self.rms_scaling else None

    def _broadcast(self, weight, rank, axes):
        if axes == list(range(rank - len(axes), rank)):
            return weight  # trailing axes broadcast as they are
        shape = [weight.shape[axes.index(i)] if i in axes else 1 for i in range(rank)]
        return ops.reshape(weight, shape)

    def call(self, inputs):
        rank = len(inputs.shape)
        axes = self._axes(rank)
        if self.rms_scaling:
            y = ops.divide(inputs, ops.sqrt(ops.add(ops.mean(ops.square(inputs), axis=axes, keepdims=True),
                                                    self.epsilon)))
        else:
            mean = ops.mean(inputs, axis=axes, keepdims=True)
            centered = ops.subtract(inputs, mean)
            var = ops.mean(ops.square(centered), axis=axes, keepdims=True)
            y = ops.divide(centered, ops.sqrt(ops.add(var, self.epsilon)))
        if self.gamma is not None:
            y = ops.multiply(y, self._broadcast(self.gamma, rank, axes))
        if self.beta is not None:
            y = ops.add(y, self._broadcast(self.beta, rank, axes))
        return y

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": self.rms_scaling, **gamma_beta_config(self)}
