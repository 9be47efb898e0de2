"""The recurrent examples learn their tasks: shortened runs of examples/imdb_lstm.py,
examples/addition_rnn.py and examples/conv_gru.py (fewer samples, epochs or steps than the
full runs), each with an accuracy threshold far above chance, and their data generators'
properties (deterministic, balanced, labels as documented)."""

import importlib.util
import pathlib

import numpy as np
import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def imdb():
    return _load("imdb_lstm")


@pytest.fixture(scope="module")
def addition():
    return _load("addition_rnn")


@pytest.fixture(scope="module")
def conv_gru():
    return _load("conv_gru")


def test_imdb_reviews_need_word_order(imdb):
    x, y = imdb.make_reviews(400, seed=3)
    x2, y2 = imdb.make_reviews(400, seed=3)
    np.testing.assert_array_equal(x, x2)
    assert x.dtype == np.int32 and x.shape == (400, imdb.MAXLEN) and 0.4 < y.mean() < 0.6
    for row, label in zip(x, y):
        words = row[row != 0]
        assert words[0] == imdb.START and (row[: len(row) - len(words)] == 0).all()  # left-padded
        at = np.flatnonzero(np.isin(words, np.concatenate([imdb.POSITIVE, imdb.NEGATIVE])))
        assert len(at) == 1
        positive = words[at[0]] in imdb.POSITIVE
        negated = words[at[0] - 1] == imdb.NOT
        assert label == float(positive != negated)
    # "not" occurs in both classes: its presence alone does not give the label
    has_not = np.array([(row == imdb.NOT).any() for row in x])
    assert 0.3 < y[has_not].mean() < 0.7


def test_imdb_lstm_learns(imdb):
    accuracy = imdb.main(["--train", "3000", "--test", "1000", "--epochs", "6", "--maxlen", "30",
                          "--verbose", "0"])
    assert accuracy >= 0.9


def test_addition_data(addition):
    x, y, questions, answers = addition.make_data(2, seed=1)
    assert x.shape == (5050, 5, 12) and y.shape == (5050, 3, 12)
    table = addition.CharacterTable()
    for k in range(0, 5050, 500):
        a, b = questions[k][::-1].strip().split("+")
        assert int(a) + int(b) == int(answers[k]) and table.decode(y[k]) == answers[k]
        assert table.decode(x[k]) == questions[k]
    x3, *_ = addition.make_data(3, size=1000, seed=1)
    assert x3.shape == (1000, 7, 12)


def test_addition_rnn_learns(addition):
    per_char, whole = addition.main(["--digits", "2", "--epochs", "10", "--verbose", "0"])
    assert per_char >= 0.9 and whole >= 0.7


def test_conv_gru_signals(conv_gru):
    x, y = conv_gru.make_signals(300, seed=2)
    assert x.shape == (300, conv_gru.LENGTH, 1) and x.dtype == np.float32
    assert set(np.unique(y)) == {0, 1, 2}


def test_conv_gru_learns(conv_gru):
    accuracy = conv_gru.main(["--train", "2000", "--test", "500", "--epochs", "4", "--verbose", "0"])
    assert accuracy >= 0.9
