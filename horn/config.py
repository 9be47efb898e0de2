"""horn.config: global settings (Keras 3's keras.config)."""

from .frontend.config import (  # noqa: F401
                              backend,
                              epsilon,
                              floatx,
                              image_data_format,
                              set_epsilon,
                              set_floatx,
                              set_image_data_format,
                              set_num_threads,
)
from .frontend.initializers import set_random_seed  # noqa: F401
from .frontend.saving.safe_mode import enable_unsafe_deserialization  # noqa: F401
