"""horn.initializers (the Keras name)."""

from .frontend.initializers import *  # noqa: F401,F403
