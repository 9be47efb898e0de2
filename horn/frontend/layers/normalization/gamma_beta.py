"""What the normalization layers with a learned scale (gamma) and shift (beta) share."""

from ... import constraints, initializers, regularizers


def gamma_beta_config(layer):
    """The config entries of gamma's and beta's initializers, regularizers and constraints."""
    return {"beta_initializer": initializers.serialize(layer.beta_initializer),
            "gamma_initializer": initializers.serialize(layer.gamma_initializer),
            "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
            "beta_constraint": constraints.serialize(layer.beta_constraint),
            "gamma_constraint": constraints.serialize(layer.gamma_constraint)}
