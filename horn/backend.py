"""horn.backend (the Keras name)."""

from .frontend.backend import *  # noqa: F401,F403
