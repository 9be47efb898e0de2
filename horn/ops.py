"""horn.ops: the op vocabulary (Keras 3 names) for layers, losses, metrics and user code."""

from .frontend.ops import *  # noqa: F401,F403
from .frontend.ops import abs, max, min, sum  # noqa: F401,A004
