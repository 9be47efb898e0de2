"""BatchNormalization: normalize each channel with the batch's statistics (training) or the
moving ones (inference), then scale by gamma and shift by beta."""

import numbers

from ... import initializers, ops, regularizers
from ..input_spec import InputSpec
from ..layer import Layer
from ..layout import from_channels_first, to_channels_first

# Keras 2 (tf.keras) arguments horn accepts only at their default (off) values.
_KERAS2_OFF = {"renorm": False, "renorm_clipping": None, "virtual_batch_size": None, "adjustment": None}
_KERAS2_IGNORED = ("fused", "renorm_momentum")
_EPSILON = 1e-7  # Keras's backend epsilon, in the masked moments' denominators


class BatchNormalization(Layer):
    """Normalizes its inputs per channel (the `axis` axis).

    Training (`fit`, or `training=True`): the batch mean and biased variance over every axis but
    `axis` normalize the batch, and the moving statistics are updated inside the training step:
    `moving = moving * momentum + batch * (1 - momentum)`. Keras 3 updates the moving variance
    with the biased batch variance, as horn does; Keras 2 used the unbiased one (n / (n - 1)).
    Inference (`predict`, `evaluate`, `training=False`): the moving statistics, as
    `x * s + t` with `s = gamma / sqrt(moving_variance + epsilon)` and `t = beta - moving_mean * s`,
    which the predict program folds into the preceding Conv or Dense.
    `trainable = False` freezes the layer as in Keras 3: it then runs in inference mode, also
    while training, and its moving statistics stay put.

    Args:
        axis: the channel axis (default -1; 1 for channels_first images).
        momentum: of the moving averages (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center, scale: learn beta (a shift) and gamma (a scale).
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer, beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: as in Keras.

    Weights, each (C,): gamma, beta (trainable), moving_mean, moving_variance (non-trainable).
    Shapes: any input of rank >= 2 -> the same shape. With a mask (batch, time) on a
    (batch, time, C) input, masked steps don't count in the batch statistics.

    Example: `Conv2D(32, 3)`, then `BatchNormalization()`, then `Activation("relu")`.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, synchronized=False, **kwargs):
        for name, off in _KERAS2_OFF.items():
            if kwargs.pop(name, off) not in (off,):
                raise NotImplementedError(f"BatchNormalization({name}=...) is not supported by horn")
        for name in _KERAS2_IGNORED:  # implementation choices of tf.keras, no effect on results
            kwargs.pop(name, None)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):  # tf.keras saves axis as a one-element list
            if len(axis) != 1:
                raise NotImplementedError(f"BatchNormalization normalizes along one axis, got axis={axis}")
            axis = axis[0]
        if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
            raise TypeError(f"BatchNormalization(axis=...) must be an integer, got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization(momentum=...) must be in [0, 1], got {momentum!r}")
        if not epsilon > 0:
            raise ValueError(f"BatchNormalization(epsilon=...) must be positive, got {epsilon!r}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale, self.synchronized = bool(center), bool(scale), bool(synchronized)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.supports_masking = True

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"Layer '{self.name}' got axis={self.axis}, which is out of range for "
                             f"an input of rank {rank} (shape {tuple(input_shape)})")
        channels = input_shape[self.axis]
        if channels is None:
            raise ValueError(f"Layer '{self.name}' needs axis {self.axis} of its input to be known, "
                             f"got input shape {tuple(input_shape)}")
        shape = (channels,)
        self.gamma = self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer,
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer,
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape,
                                           initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self.input_spec = InputSpec(ndim=rank, axes={self.axis: channels})

    def call(self, inputs, training=False, mask=None):
        rank = len(inputs.shape)
        axis = self.axis % rank
        if mask is not None and len(mask.shape) != rank - 1:
            raise ValueError(f"Layer '{self.name}' needs a mask with one axis less than its input, "
                             f"got mask shape {tuple(mask.shape)} for input shape {tuple(inputs.shape)}")
        # A channels_last image's channels go first for the per-channel work: the transposes
        # then cancel against those of the neighbouring NCHW convolutions.
        transpose = axis == rank - 1 and rank >= 3 and mask is None
        x = to_channels_first(inputs, "channels_last") if transpose else inputs
        work_axis = 1 if transpose else axis
        if training and self.trainable:
            mean, variance = self._moments(x, work_axis, mask)
            keep, new = self.momentum, 1.0 - self.momentum
            self.add_update(self.moving_mean, ops.add(ops.multiply(self.moving_mean, keep),
                                                      ops.multiply(mean, new)))
            self.add_update(self.moving_variance, ops.add(ops.multiply(self.moving_variance, keep),
                                                          ops.multiply(variance, new)))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        y = ops.batch_normalization(x, mean, variance, work_axis, offset=self.beta, scale=self.gamma,
                                    epsilon=self.epsilon)
        return from_channels_first(y, "channels_last") if transpose else y

    def _moments(self, x, axis, mask):
        """The batch's (C,) mean and biased variance; masked steps don't count (Keras 3)."""
        axes = [i for i in range(len(x.shape)) if i != axis]
        if mask is None:
            return ops.moments(x, axes)
        weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        weighted = ops.multiply(weights, x)
        count = ops.add(ops.sum(weights, axes, keepdims=True), _EPSILON)
        mean = ops.divide(ops.sum(weighted, axes, keepdims=True), count)
        spread = ops.sum(ops.multiply(weights, ops.square(ops.subtract(weighted, mean))), axes, keepdims=True)
        channels = (x.shape[axis],)
        return ops.reshape(mean, channels), ops.reshape(ops.divide(spread, count), channels)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": _serialize(self.beta_regularizer),
                "gamma_regularizer": _serialize(self.gamma_regularizer),
                "beta_constraint": _serialize(self.beta_constraint),
                "gamma_constraint": _serialize(self.gamma_constraint),
                "synchronized": self.synchronized}


def _serialize(obj):
    if obj is None or not hasattr(obj, "get_config"):
        return None
    return {"class_name": type(obj).__name__, "config": obj.get_config()}
