"""horn.datasets (the Keras name)."""

from .frontend.datasets import *  # noqa: F401,F403
