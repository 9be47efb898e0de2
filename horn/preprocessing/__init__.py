"""horn.preprocessing (Keras 2's keras.preprocessing): `sequence.pad_sequences`, `text.Tokenizer`."""

from . import sequence, text  # noqa: F401
