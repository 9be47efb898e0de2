"""Argument checks the noise layers (GaussianNoise, GaussianDropout, AlphaDropout) share."""

import numbers


def check_rate(who, rate):
    """A drop rate in [0, 1): at 1 the noise of GaussianDropout and AlphaDropout's scale are infinite."""
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
        raise TypeError(f"{who}(rate=...) must be a number in [0, 1), got {rate!r}")
    if not 0 <= rate < 1:
        raise ValueError(f"{who}(rate=...) must be in [0, 1), got rate={rate!r}")
    return float(rate)


def check_stddev(who, stddev):
    """A standard deviation >= 0. Keras 3 also caps it at 1; Keras 2 did not, and horn loads
    both, so larger values are accepted."""
    if not isinstance(stddev, numbers.Real) or isinstance(stddev, bool):
        raise TypeError(f"{who}(stddev=...) must be a number >= 0, got {stddev!r}")
    if stddev < 0:
        raise ValueError(f"{who}(stddev=...) must be >= 0, got stddev={stddev!r}")
    return float(stddev)
