"""GroupNormalization: per-sample statistics over groups of channels (Wu & He, 2018)."""

import numbers

import numpy as np

from ... import constraints, initializers, ops, regularizers
from ..input_spec import InputSpec
from ..layer import Layer
from .gamma_beta import gamma_beta_config


class GroupNormalization(Layer):
    """Splits the channels (`axis`) into `groups` and standardizes each sample's group over its
    channels and every non-batch axis: (x - mean) / sqrt(variance + epsilon), then scales by
    gamma and shifts by beta per channel. Independent of the batch (no moving statistics);
    groups=1 is LayerNormalization over all axes, groups=-1 (one channel a group) instance
    normalization.

    Args:
        groups: number of groups (32 by default; it must divide the channels), or -1.
        axis: the channel axis (-1: channels last).
        epsilon: added to the variance (1e-3).
        center, scale: learn beta and gamma.
        beta/gamma initializer, regularizer, constraint: as in BatchNormalization.

    Weights: gamma (channels,), beta (channels,) (Keras 3's order).

    Example: `GroupNormalization(groups=8)` after a Conv2D with 64 filters.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, numbers.Integral) or (groups <= 0 and groups != -1):
            raise ValueError(f"GroupNormalization(groups=...) must be a positive integer (or -1 for instance "
                             f"normalization), got groups={groups!r}")
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"GroupNormalization(axis=...) must be an int, got {axis!r}")
        self.groups, self.axis, self.epsilon = int(groups), int(axis), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(f"Layer '{self.name}' (GroupNormalization) has axis={self.axis}, which is not a "
                             f"non-batch axis of its input shape {tuple(input_shape)}")
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}' (GroupNormalization) needs the size of axis {self.axis} known, "
                             f"got input shape {tuple(input_shape)}")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups or channels % self.groups:
            raise ValueError(f"Layer '{self.name}' (GroupNormalization) has groups={self.groups}, which must "
                             f"divide its {channels} channels (and be at most that many)")
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: channels})
        self.gamma = self.add_weight(name="gamma", shape=(channels,), initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=(channels,), initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None

    def call(self, inputs):
        rank = len(inputs.shape)
        axis = self.axis % rank
        per_group = inputs.shape[axis] // self.groups
        x = ops.reshape(inputs, self._grouped_shape(inputs, axis, per_group))
        # statistics over every axis but the batch and the group axis
        reduce = [a for a in range(1, rank + 1) if a != axis]
        mean, variance = ops.moments(x, reduce, keepdims=True)
        inv = ops.divide(1.0, ops.sqrt(ops.add(variance, self.epsilon)))
        broadcast = [1] * (rank + 1)
        broadcast[axis], broadcast[axis + 1] = self.groups, per_group
        if self.gamma is not None:
            inv = ops.multiply(inv, ops.reshape(self.gamma, broadcast))
        shift = ops.negative(ops.multiply(mean, inv))
        if self.beta is not None:
            shift = ops.add(shift, ops.reshape(self.beta, broadcast))
        y = ops.add(ops.multiply(x, inv), shift)
        if any(d is None for d in inputs.shape[1:]):
            return ops.reshape(y, ops.dynamic_shape(inputs))
        return ops.reshape(y, [None] + list(inputs.shape[1:]))

    def _grouped_shape(self, inputs, axis, per_group):
        """inputs' shape with the channel axis split into (groups, channels per group)."""
        if any(d is None for d in inputs.shape[1:]):  # read at run time
            return ops.concatenate([ops.dynamic_shape(inputs, 0, axis), np.array([self.groups, per_group]),
                                    ops.dynamic_shape(inputs, axis + 1)], axis=0)
        return [None] + list(inputs.shape[1:axis]) + [self.groups, per_group] + list(inputs.shape[axis + 1:])

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, **gamma_beta_config(self)}
