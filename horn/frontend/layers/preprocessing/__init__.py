"""Preprocessing layers that compute with plain ops (Keras 3's Rescaling, Normalization) and
Keras 3's image preprocessing and augmentation layers."""

from .center_crop import CenterCrop
from .normalization import Normalization
from .random_brightness import RandomBrightness
from .random_contrast import RandomContrast
from .random_crop import RandomCrop
from .random_flip import RandomFlip
from .rescaling import Rescaling
from .resizing import Resizing

__all__ = ["CenterCrop", "Normalization", "RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip",
           "Rescaling", "Resizing"]

from .random_rotation import RandomRotation  # noqa: E402
from .random_translation import RandomTranslation  # noqa: E402
from .random_zoom import RandomZoom  # noqa: E402

__all__ += ["RandomRotation", "RandomTranslation", "RandomZoom"]
