"""horn.metrics (the Keras name)."""

from .frontend.metrics import *  # noqa: F401,F403
