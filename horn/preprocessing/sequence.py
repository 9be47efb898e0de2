"""horn.preprocessing.sequence (Keras 2's keras.preprocessing.sequence)."""

from ..frontend.utils.sequences import pad_sequences  # noqa: F401
