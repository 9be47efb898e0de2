"""Keras 2's text preprocessing (keras.preprocessing.text): Tokenizer and text_to_word_sequence.

Host-side Python, as in Keras 2: a Tokenizer counts words over texts, numbers them by frequency
(1 for the most frequent; 0 is never a word, it pads) and turns texts into index sequences or
into document-term matrices for a Dense model (the classic reuters_mlp)."""

import json
from collections import OrderedDict, defaultdict

import numpy as np

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """The words of a text: lower-cased, the `filters` characters turned into `split`, split on
    it, empty pieces dropped. Example: text_to_word_sequence("Hello, world!") -> ['hello', 'world']."""
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in input_text.split(split) if w]


class Tokenizer:
    """Numbers the words of texts by frequency and vectorizes texts with that vocabulary.

    Args:
        num_words: keep only the num_words - 1 most frequent words when vectorizing (indices
            below num_words); None keeps them all.
        filters, lower, split: how texts are cut into words (see text_to_word_sequence).
        char_level: every character is a token.
        oov_token: a token (index 1) that stands for words not in the vocabulary, or beyond
            num_words, in texts_to_sequences; without it such words are dropped.

    After fit_on_texts: word_counts, word_docs, word_index ({word: index}), index_word,
    index_docs, document_count.

    Example:
        tok = Tokenizer(num_words=1000)
        tok.fit_on_texts(train_texts)
        x = tok.texts_to_matrix(train_texts, mode="binary")   # (len(texts), 1000)
    """

    def __init__(self, num_words=None, filters=DEFAULT_FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, document_count=0, **kwargs):
        num_words = kwargs.pop("nb_words", num_words)  # Keras 1's name
        if kwargs:
            raise TypeError(f"Tokenizer() got unexpected keyword argument(s) {sorted(kwargs)}")
        if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, (int, np.integer))
                                      or num_words < 1):
            raise ValueError(f"Tokenizer(num_words=...) must be None or a positive integer, got {num_words!r}")
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token, self.document_count = char_level, oov_token, document_count
        self.word_counts, self.word_docs = OrderedDict(), defaultdict(int)
        self.word_index, self.index_word, self.index_docs = {}, {}, defaultdict(int)

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            return [t.lower() for t in text] if self.lower and isinstance(text, list) else \
                list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count the words of `texts` (strings, or lists of tokens) and number them: the most
        frequent gets 1 (after oov_token, which gets 1 when set); ties keep first-seen order."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for w in tokens:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(tokens):
                self.word_docs[w] += 1
        ranked = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)  # stable
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in ranked]
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = defaultdict(int)
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Count in how many documents each index appears (for tfidf) from index sequences."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Each text as the list of its words' indices; words out of the vocabulary (or at an
        index >= num_words) become oov_token's index, or are dropped without one."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            seq = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None and not (self.num_words and i >= self.num_words):
                    seq.append(i)
                elif oov is not None:
                    seq.append(oov)
            yield seq

    def sequences_to_texts(self, sequences):
        """Index sequences back to space-joined words (indices unknown or >= num_words dropped,
        or shown as oov_token)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        texts = []
        for seq in sequences:
            words = []
            for i in seq:
                w = self.index_word.get(i)
                if w is not None and not (self.num_words and i >= self.num_words):
                    words.append(w)
                elif oov is not None:
                    words.append(self.index_word[oov])
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode="binary"):
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A (len(sequences), num_words) float64 matrix: per row, for each index j < num_words in
        the sequence, 1 ('binary'), its count ('count'), count / len(sequence) ('freq') or
        (1 + log count) * log(1 + documents / (1 + documents containing j)) ('tfidf')."""
        if mode not in _MODES:
            raise ValueError(f"Tokenizer: unknown vectorization mode {mode!r}; use one of {list(_MODES)}")
        num_words = self.num_words
        if not num_words:
            if not self.word_index:
                raise ValueError("Tokenizer.sequences_to_matrix needs num_words, or fit_on_texts() first to "
                                 "know the vocabulary's size")
            num_words = len(self.word_index) + 1
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer: mode='tfidf' needs fit_on_texts() or fit_on_sequences() first (it "
                             "counts in how many documents each word appears)")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            counts = defaultdict(int)
            for j in seq:
                if j < num_words:
                    counts[j] += 1
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = (1 + np.log(c)) * idf
        return x

    def get_config(self):
        return {"num_words": self.num_words, "filters": self.filters, "lower": self.lower, "split": self.split,
                "char_level": self.char_level, "oov_token": self.oov_token, "document_count": self.document_count,
                "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
                "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
                "word_index": json.dumps(self.word_index)}

    def to_json(self, **kwargs):
        """The tokenizer as JSON (Keras 2's layout); tokenizer_from_json reads it back."""
        return json.dumps({"class_name": "Tokenizer", "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """A Tokenizer from Tokenizer.to_json()."""
    config = dict(json.loads(json_string).get("config", {}))
    tables = {k: json.loads(config.pop(k)) for k in ("word_counts", "word_docs", "index_docs", "index_word",
                                                      "word_index")}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = OrderedDict(tables["word_counts"])
    tokenizer.word_docs = defaultdict(int, tables["word_docs"])
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in tables["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in tables["index_word"].items()}
    tokenizer.word_index = tables["word_index"]
    return tokenizer
