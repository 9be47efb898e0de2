"""horn.optimizers (the Keras name)."""

from .frontend.optimizers import *  # noqa: F401,F403
