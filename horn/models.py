"""horn.models (the Keras name)."""

from .frontend.models import *  # noqa: F401,F403
