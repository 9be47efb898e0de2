"""horn.regularizers (the Keras name)."""

from .frontend.regularizers import *  # noqa: F401,F403
