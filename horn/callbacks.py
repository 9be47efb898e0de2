"""horn.callbacks (the Keras name)."""

from .frontend.callbacks import *  # noqa: F401,F403
