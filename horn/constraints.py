"""horn.constraints (the Keras name)."""

from .frontend.constraints import *  # noqa: F401,F403
