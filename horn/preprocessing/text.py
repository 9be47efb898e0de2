"""horn.preprocessing.text (Keras 2's keras.preprocessing.text)."""

from ..frontend.utils.text import Tokenizer, text_to_word_sequence, tokenizer_from_json  # noqa: F401
