"""horn.losses (the Keras name)."""

from .frontend.losses import *  # noqa: F401,F403
