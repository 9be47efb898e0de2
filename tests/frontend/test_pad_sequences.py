"""pad_sequences (keras.utils / Keras 2's keras.preprocessing.sequence): the arrays below are what
Keras 3.15.1 returned for the same calls."""

import numpy as np
import pytest

import horn as keras
from horn.preprocessing import sequence

SEQS = [[1, 2, 3, 4, 5], [6], [], [7, 8, 9]]


@pytest.mark.parametrize("kwargs, expected", [
    ({}, [[1, 2, 3, 4, 5], [0, 0, 0, 0, 6], [0, 0, 0, 0, 0], [0, 0, 7, 8, 9]]),
    ({"maxlen": 3}, [[3, 4, 5], [0, 0, 6], [0, 0, 0], [7, 8, 9]]),
    ({"maxlen": 3, "padding": "post"}, [[3, 4, 5], [6, 0, 0], [0, 0, 0], [7, 8, 9]]),
    ({"maxlen": 3, "truncating": "post"}, [[1, 2, 3], [0, 0, 6], [0, 0, 0], [7, 8, 9]]),
    ({"maxlen": 3, "padding": "post", "truncating": "post", "value": -1}, [[1, 2, 3], [6, -1, -1], [-1, -1, -1],
                                                                          [7, 8, 9]]),
])
def test_pad_sequences_as_keras(kwargs, expected):
    out = keras.utils.pad_sequences(SEQS, **kwargs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(sequence.pad_sequences(SEQS, **kwargs), expected)


def test_pad_sequences_floats_and_steps_with_features():
    out = keras.utils.pad_sequences(SEQS, maxlen=7, dtype="float32", value=0.5)
    assert out.dtype == np.float32 and out.shape == (4, 7)
    np.testing.assert_array_equal(out[1], [0.5] * 6 + [6.0])
    steps = [np.arange(6).reshape(3, 2), np.arange(4).reshape(2, 2) + 10]
    out = keras.utils.pad_sequences(steps, maxlen=2, padding="post", truncating="post")
    np.testing.assert_array_equal(out, [[[0, 1], [2, 3]], [[10, 11], [12, 13]]])
    out = keras.utils.pad_sequences(steps, maxlen=4, dtype="float32")
    np.testing.assert_array_equal(out[1], [[0, 0], [0, 0], [10, 11], [12, 13]])


def test_pad_sequences_maxlen_zero_and_empty():
    assert keras.utils.pad_sequences(SEQS, maxlen=0).shape == (4, 0)  # (Keras 3.15 raises here)
    assert keras.utils.pad_sequences([]).shape == (0, 0)


@pytest.mark.parametrize("kwargs, message", [
    ({"padding": "middle"}, "padding=...) must be"),
    ({"truncating": "both"}, "truncating=...) must be"),
    ({"maxlen": -1}, "maxlen=...) must be None or an integer >= 0"),
    ({"value": "x"}, "cannot hold the string filler"),
])
def test_pad_sequences_errors(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        keras.utils.pad_sequences(SEQS, **kwargs)


def test_pad_sequences_steps_of_different_shapes():
    with pytest.raises(ValueError, match="every step must have the same shape"):
        keras.utils.pad_sequences([np.zeros((2, 3)), np.zeros((2, 4))])
