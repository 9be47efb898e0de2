"""Normalization: (x - mean) / sqrt(variance), with the statistics given or learned by adapt()."""

import numbers

import numpy as np

from ... import config, ops
from ..layer import Layer


class Normalization(Layer):
    """Standardizes features: (x - mean) / max(sqrt(variance), epsilon), or the inverse
    mean + x * max(sqrt(variance), epsilon) with invert=True (Keras 3's preprocessing layer).

    The statistics are either given (`mean` and `variance`, broadcast over the kept axes) or
    computed from data by `adapt(data)` before training; one mean and variance per position of
    the kept `axis` (the features, by default), over every other axis.

    Args:
        axis: the axis or axes kept (int, tuple, or None for one mean and variance overall).
        mean, variance: the statistics, both or neither (numbers or arrays).
        invert: map standardized values back.

    Weights (adapted form): mean and variance (the kept axes' shape), and count (kept at 0, as
    Keras 3.15 keeps it); none are trained.

    Example:
        norm = keras.layers.Normalization()
        norm.adapt(x_train)             # per-feature mean and variance of the training data
        model = keras.Sequential([keras.Input((13,)), norm, keras.layers.Dense(1)])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
            axis = (int(axis),)
        elif isinstance(axis, (list, tuple)) and all(isinstance(a, numbers.Integral) for a in axis):
            axis = tuple(int(a) for a in axis)
        else:
            raise TypeError(f"Normalization(axis=...) must be an int, a tuple of ints or None, got {axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization needs both mean and variance, or neither (then call adapt()); got "
                             f"mean={mean!r}, variance={variance!r}")
        self.axis, self.invert = axis, bool(invert)
        self.input_mean, self.input_variance = mean, variance
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"Layer '{self.name}' (Normalization) has axis={self.axis}, out of range for its "
                             f"input shape {tuple(input_shape)}")
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep:
            if input_shape[a] is None:
                raise ValueError(f"Layer '{self.name}' (Normalization) keeps axis {a}, whose size must be known; "
                                 f"got input shape {tuple(input_shape)}")
        self._reduce = tuple(a for a in range(ndim) if a not in self._keep)
        self._broadcast = tuple(input_shape[a] if a in self._keep else 1 for a in range(ndim))
        self._input_shape = tuple(input_shape)
        kept = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=kept, initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=kept, initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros",
                                         trainable=False)
        else:
            self._mean, self._variance = (self._broadcast_given(v, kept) for v in (self.input_mean,
                                                                                   self.input_variance))

    def _broadcast_given(self, value, kept):
        """A given mean/variance as an array of the broadcast shape (its trailing axes line up
        with the kept axes, as in Keras)."""
        value = np.asarray(value, self.dtype)
        if value.ndim:
            shape = [1] * len(self._broadcast)
            for i in range(1, value.ndim + 1):
                shape[self._keep[-i]] = value.shape[-i]
            value = value.reshape(shape)
        try:
            return np.broadcast_to(value, self._broadcast).astype(self.dtype)
        except ValueError:
            raise ValueError(f"Layer '{self.name}' (Normalization) got a mean/variance of shape {value.shape}, "
                             f"which does not broadcast to the kept axes' shape {kept}") from None

    def adapt(self, data):
        """Set mean and variance from `data`: an array, or an iterable of batches (the statistics
        are combined batch by batch, as Keras does)."""
        if hasattr(data, "shape") and not isinstance(data, (list, tuple)):
            batches = [np.asarray(data, self.dtype)]
        else:
            batches = [np.asarray(b[0] if isinstance(b, tuple) else b, self.dtype) for b in data]
            if not batches:
                raise ValueError(f"Layer '{self.name}' (Normalization): adapt() got no batches")
        if not self.built:
            self.build((None,) + batches[0].shape[1:])
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' (Normalization) was given mean and variance; adapt() would "
                             "overwrite nothing (make it without them to learn them from data)")
        mean = variance = None
        count = 0
        for batch in batches:
            if batch.ndim != len(self._input_shape) or any(batch.shape[a] != self._input_shape[a]
                                                           for a in self._keep):
                raise ValueError(f"Layer '{self.name}' (Normalization) was built for inputs {self._input_shape}; "
                                 f"adapt() got a batch of shape {batch.shape}")
            n = int(np.prod([batch.shape[a] for a in self._reduce])) if self._reduce else 1
            # in the layer's dtype, as Keras computes them (numpy's pairwise sums)
            b_mean, b_var = batch.mean(axis=self._reduce), batch.var(axis=self._reduce)
            if mean is None:
                mean, variance, count = b_mean, b_var, n
                continue
            total = count + n
            new_mean = mean + (b_mean - mean) * (n / total)
            variance = ((variance + (mean - new_mean) ** 2) * (count / total)
                        + (b_var + (b_mean - new_mean) ** 2) * (n / total))
            mean, count = new_mean, total
        self.adapt_mean.assign(np.asarray(mean, self.dtype))
        self.adapt_variance.assign(np.asarray(variance, self.dtype))  # (Keras 3.15 leaves count at 0)

    def call(self, inputs):
        if inputs.dtype != self.dtype:
            inputs = ops.cast(inputs, self.dtype.name)
        if self.input_mean is None:
            mean = ops.reshape(self.adapt_mean, self._broadcast)
            variance = ops.reshape(self.adapt_variance, self._broadcast)
        else:
            mean, variance = self._mean, self._variance
        scale = ops.maximum(ops.sqrt(variance), config.epsilon())
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, scale))
        return ops.divide(ops.subtract(inputs, mean), scale)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        def plain(v):
            return None if v is None else np.asarray(v).tolist()

        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}
