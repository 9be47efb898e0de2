"""horn.utils (the Keras name)."""

from .frontend.utils import *  # noqa: F401,F403
