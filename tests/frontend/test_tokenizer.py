"""Keras 2's Tokenizer (keras.preprocessing.text): vocabularies, sequences and matrices worked
out by hand from Keras 2's documented rules, and the classic reuters_mlp pattern end to end."""

import numpy as np
import pytest

import horn as keras
from horn.preprocessing.text import Tokenizer, text_to_word_sequence, tokenizer_from_json

TEXTS = ["The cat sat on the mat.", "The dog ate the cat!", "A dog, a cat; a bird?"]


def test_text_to_word_sequence():
    assert text_to_word_sequence("Hello, World!  again\tand\nagain") == ["hello", "world", "again", "and", "again"]
    assert text_to_word_sequence("a-b c", filters="", lower=False) == ["a-b", "c"]
    assert text_to_word_sequence("x|y|z", split="|") == ["x", "y", "z"]


def test_vocabulary_by_frequency_ties_in_first_seen_order():
    tok = Tokenizer()
    tok.fit_on_texts(TEXTS)
    # the: 4, cat: 3, a: 3, dog: 2; then sat, on, mat, ate, bird once each, in order of first sight
    assert list(tok.word_index) == ["the", "cat", "a", "dog", "sat", "on", "mat", "ate", "bird"]
    assert tok.word_index["the"] == 1 and tok.index_word[4] == "dog"
    assert tok.word_counts["cat"] == 3 and tok.word_docs["cat"] == 3 and tok.word_docs["the"] == 2
    assert tok.index_docs[1] == 2 and tok.document_count == 3


def test_sequences_num_words_and_oov():
    tok = Tokenizer(num_words=4)
    tok.fit_on_texts(TEXTS)
    assert tok.texts_to_sequences(["the cat and the bird"]) == [[1, 2, 1]]  # only indices < 4
    oov = Tokenizer(num_words=5, oov_token="<unk>")
    oov.fit_on_texts(TEXTS)
    assert oov.word_index["<unk>"] == 1 and oov.word_index["the"] == 2
    assert oov.texts_to_sequences(["the cat and the bird"]) == [[2, 3, 1, 2, 1]]
    assert oov.sequences_to_texts([[2, 3, 1, 9]]) == ["the cat <unk> <unk>"]


@pytest.mark.parametrize("mode", ["binary", "count", "freq", "tfidf"])
def test_matrices(mode):
    tok = Tokenizer(num_words=6)
    tok.fit_on_texts(TEXTS)
    x = tok.texts_to_matrix(["the cat the dog", "bird"], mode=mode)
    assert x.shape == (2, 6)
    # the = 1, cat = 2, dog = 4; bird (9) is beyond num_words: the second row stays empty
    counts = {1: 2, 2: 1, 4: 1}
    want = np.zeros((2, 6))
    for j, c in counts.items():
        if mode == "binary":
            want[0, j] = 1
        elif mode == "count":
            want[0, j] = c
        elif mode == "freq":
            want[0, j] = c / 4
        else:
            docs = {1: 2, 2: 3, 4: 2}[j]
            want[0, j] = (1 + np.log(c)) * np.log(1 + 3 / (1 + docs))
    np.testing.assert_allclose(x, want)


def test_char_level_and_token_lists():
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(["abca", "Bd"])
    assert list(tok.word_index) == ["a", "b", "c", "d"]
    assert tok.texts_to_sequences(["dab"]) == [[4, 1, 2]]
    lists = Tokenizer()
    lists.fit_on_texts([["New", "York"], ["new", "jersey"]])
    assert lists.word_index == {"new": 1, "york": 2, "jersey": 3}


def test_json_round_trip():
    tok = Tokenizer(num_words=7, oov_token="?")
    tok.fit_on_texts(TEXTS)
    again = tokenizer_from_json(tok.to_json())
    assert again.word_index == tok.word_index and again.index_word == tok.index_word
    assert again.texts_to_sequences(TEXTS) == tok.texts_to_sequences(TEXTS)
    np.testing.assert_array_equal(again.texts_to_matrix(TEXTS, "tfidf"), tok.texts_to_matrix(TEXTS, "tfidf"))


def test_errors():
    with pytest.raises(ValueError, match="unknown vectorization mode 'bag'"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="bag")
    with pytest.raises(ValueError, match="needs num_words, or fit_on_texts"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(ValueError, match="mode='tfidf' needs fit_on_texts"):
        Tokenizer(num_words=3).sequences_to_matrix([[1]], mode="tfidf")
    with pytest.raises(ValueError, match=r"num_words=\.\.\.\) must be None or a positive integer"):
        Tokenizer(num_words=0)


def test_reuters_mlp_pattern_learns():
    """Keras 2's reuters_mlp: texts -> binary matrix -> Dense; on a task the words decide."""
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    texts, labels = [], []
    for _ in range(300):
        label = int(rng.integers(0, 3))
        picked = list(rng.choice(words[10:], 6)) + [words[label * 3 + int(rng.integers(0, 3))]]
        texts.append(" ".join(rng.permutation(picked)))
        labels.append(label)
    tok = Tokenizer(num_words=50)
    tok.fit_on_texts(texts)
    x = tok.texts_to_matrix(texts, mode="binary").astype("float32")
    y = keras.utils.to_categorical(labels, 3)
    model = keras.Sequential([keras.Input((50,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:240], y[:240], epochs=30, batch_size=32, verbose=0)
    assert model.evaluate(x[240:], y[240:], verbose=0)[1] > 0.9
