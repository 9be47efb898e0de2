"""horn.config: global settings (Keras 3's keras.config)."""

from .frontend.config import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,  # noqa: F401
                              set_image_data_format, set_num_threads)
from .frontend.initializers import set_random_seed  # noqa: F401
