"""horn.layers (the Keras name)."""

from .frontend.layers import *  # noqa: F401,F403
