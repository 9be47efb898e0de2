"""Layers around sequences: Embedding, Masking, RepeatVector."""

from .embedding import Embedding
from .masking import Masking
from .repeat_vector import RepeatVector

__all__ = ["Embedding", "Masking", "RepeatVector"]
