"""horn.activations (the Keras name)."""

from .frontend.activations import *  # noqa: F401,F403
