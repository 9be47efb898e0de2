"""Tensors passed to a layer call besides its input (an RNN's initial_state=[h, c], the classic
encoder-decoder) survive saving: Keras 3 files write them in place ({"args", "kwargs"} with
tensor references), Keras 2 files as one list input [x, h, c]; horn reads both, writes the
first, and its RNNs take Keras 2's list form."""

import json
import os

import numpy as np
import pytest

import horn as keras
from horn import layers

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "data", "keras3_initial_state")
RNG = np.random.default_rng(11)


def _encoder_decoder():
    encoder_in, decoder_in = keras.Input(shape=(5, 3)), keras.Input(shape=(4, 2))
    _, h, c = layers.LSTM(6, return_state=True)(encoder_in)
    x = layers.LSTM(6, return_sequences=True)(decoder_in, initial_state=[h, c])
    return keras.Model([encoder_in, decoder_in], layers.TimeDistributed(layers.Dense(5, activation="softmax"))(x))


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_keras_saved_encoder_decoder_loads(ext):
    data = np.load(os.path.join(FIXTURES, "encdec.npz"))
    model = keras.models.load_model(os.path.join(FIXTURES, f"encdec.{ext}"))
    np.testing.assert_allclose(model.predict([data["x0"], data["x1"]], verbose=0), data["y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("how", ["keras", "h5", "json"])
def test_encoder_decoder_round_trip(tmp_path, how):
    model = _encoder_decoder()
    x = [RNG.standard_normal((3, 5, 3)).astype(np.float32), RNG.standard_normal((3, 4, 2)).astype(np.float32)]
    want = model.predict(x, verbose=0)
    if how == "json":
        loaded = keras.models.model_from_json(model.to_json())
        loaded.set_weights(model.get_weights())
    else:
        model.save(tmp_path / f"m.{how}")
        loaded = keras.models.load_model(tmp_path / f"m.{how}")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), want, rtol=1e-6, atol=1e-7)
    # The states are used as states, not as more inputs: other states give other outputs.
    assert not np.allclose(loaded.predict([x[0][::-1], x[1]], verbose=0), want, atol=1e-3)


def test_config_writes_the_states_in_place():
    config = json.loads(_encoder_decoder().to_json())["config"]
    decoder = [spec for spec in config["layers"] if spec["class_name"] == "LSTM"][1]
    node = decoder["inbound_nodes"][0]
    assert node["args"][0]["config"]["keras_history"][0].startswith("input")
    assert [t["config"]["keras_history"][1:] for t in node["kwargs"]["initial_state"]] == [[0, 1], [0, 2]]
    # A call with its tensors all in its input keeps Keras 2's list form.
    dense = next(spec for spec in config["layers"] if spec["class_name"] == "TimeDistributed")
    assert isinstance(dense["inbound_nodes"][0], list)


@pytest.mark.parametrize("wrap", [False, True])
def test_keras2_list_call_is_initial_state(wrap):
    """Keras 2's layer([x, *states]) (what its files hold for such calls) is initial_state."""
    x, h, c = keras.Input((4, 2)), keras.Input((3,)), keras.Input((3,))
    rnn = layers.LSTM(3, return_sequences=True)
    layer = layers.Bidirectional(rnn) if wrap else rnn
    states = [h, c, h, c] if wrap else [h, c]
    by_kwarg = keras.Model([x, h, c], layer(x, initial_state=states))
    by_list = keras.Model([x, h, c], layer([x, *states]))
    feeds = [RNG.standard_normal((2, 4, 2)).astype(np.float32), RNG.standard_normal((2, 3)).astype(np.float32),
             RNG.standard_normal((2, 3)).astype(np.float32)]
    want = by_kwarg.predict(feeds, verbose=0)
    np.testing.assert_array_equal(by_list.predict(feeds, verbose=0), want)
    zeros = [feeds[0], np.zeros_like(feeds[1]), np.zeros_like(feeds[2])]
    assert not np.allclose(by_list.predict(zeros, verbose=0), want, atol=1e-3)


def test_keras2_style_config_rebuilds_the_states():
    """A Keras 2 config: the decoder's node lists [input, h, c] as one call with no kwargs."""
    model = _encoder_decoder()
    config = json.loads(model.to_json())
    decoder = [spec for spec in config["config"]["layers"] if spec["class_name"] == "LSTM"][1]
    node = decoder["inbound_nodes"][0]
    refs = [node["args"][0]] + node["kwargs"]["initial_state"]
    decoder["inbound_nodes"] = [[t["config"]["keras_history"] + [{}] for t in refs]]
    rebuilt = keras.models.model_from_json(json.dumps(config))
    rebuilt.set_weights(model.get_weights())
    x = [RNG.standard_normal((2, 5, 3)).astype(np.float32), RNG.standard_normal((2, 4, 2)).astype(np.float32)]
    np.testing.assert_allclose(rebuilt.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)
