"""Keras 3 `.keras` files whose layers hold layers (Bidirectional, TimeDistributed, nested models,
stacked cells): the weights file nests them (`layers/bidirectional/forward_layer/cell/vars/0`,
`layers/sequential/layers/dense_10/vars/0`), and each sublayer must get its own weights."""

import io
import os
import zipfile

import h5py
import numpy as np
import pytest

import horn as keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_nested")  # see make_fixtures.py
NAMES = ["bidi_gru_concat", "bidi_lstm_stacked", "nested12", "td_seq_bn", "functional_in_sequential",
         "stacked_cells", "conv_lstm2d"]


def _fixture(name):
    data = np.load(os.path.join(FIXTURES, "expected.npz"))
    return os.path.join(FIXTURES, f"{name}.keras"), data[f"{name}_x"], data[f"{name}_y"]


def _rewrite_weights(src, dst, edit, metadata=None):
    """Copy the .keras file src to dst with edit(h5py.File) applied to its model.weights.h5."""
    with zipfile.ZipFile(src) as z:
        members = {name: z.read(name) for name in z.namelist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        edit(f)
    members["model.weights.h5"] = buffer.getvalue()
    if metadata is not None:
        members["metadata.json"] = metadata
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


@pytest.mark.parametrize("name", NAMES)
def test_nested_layers_saved_by_keras_predict_what_keras_predicted(name):
    path, x, want = _fixture(name)
    model = keras.models.load_model(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_nested_layers_survive_a_horn_round_trip(tmp_path, name):
    path, x, want = _fixture(name)
    model = keras.models.load_model(path)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)
    model.set_weights([w * np.float32(1.1) for w in model.get_weights()])  # not the fixture's weights
    before = model.predict(x, verbose=0)
    model.save(str(tmp_path / "m.keras"))
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), before, rtol=1e-5, atol=1e-6)
    assert not np.allclose(before, want, atol=1e-4)


def _flatten_like_older_horn(model):
    """horn's earlier writer: each top-level layer's weights in one group, layers/<name>/vars, in
    the order its `weights` then had (Keras 2's: trainable first, across sublayers)."""
    def edit(f):
        for key in list(f.keys()):
            del f[key]
        for layer in model.layers:
            group = f.create_group(f"layers/{layer.name}/vars")
            group.attrs["name"] = layer.name
            for i, w in enumerate(layer.trainable_weights + layer.non_trainable_weights):
                group.create_dataset(str(i), data=np.asarray(w.numpy()))
        f.create_group("vars").attrs["name"] = model.name
    return edit


@pytest.mark.parametrize("name", ["bidi_gru_concat", "nested12", "td_seq_bn", "stacked_cells"])
def test_flat_files_of_older_horn_still_load(tmp_path, name):
    path, x, want = _fixture(name)
    model = keras.models.load_model(path)
    model.set_weights([w * np.float32(0.9) for w in model.get_weights()])
    before = model.predict(x, verbose=0)
    model.save(str(tmp_path / "nested.keras"))
    _rewrite_weights(tmp_path / "nested.keras", tmp_path / "flat.keras", _flatten_like_older_horn(model))
    loaded = keras.models.load_model(str(tmp_path / "flat.keras"))
    np.testing.assert_allclose(loaded.predict(x, verbose=0), before, rtol=1e-5, atol=1e-6)


def _delete(path):
    def edit(f):
        del f[path]
    return edit


def _add_extra(path):
    def edit(f):
        f.create_group(path).create_dataset("0", data=np.zeros(3, np.float32))
    return edit


@pytest.mark.parametrize("name, edit, message", [
    ("bidi_gru_concat", _delete("layers/bidirectional/forward_layer"),
     r"layer 'bidirectional' \(Bidirectional\) holds 'forward_gru' in its attribute 'forward_layer', so the "
     r"file should have a group 'layers/bidirectional/forward_layer', but it has none"),
    ("nested12", _delete("layers/sequential/layers/dense_10"),
     r"layer 'dense_10' \(Dense\) of 'sequential' has weights, but the file has no group for it: expected "
     r"'layers/sequential/layers/dense_10'"),
    ("stacked_cells", _delete("layers/rnn/cell/cells/gru_cell/vars/2"),
     r"layer 'gru_cell' \(GRUCell\) expects weights of shapes \[\(3, 6\), \(2, 6\), \(2, 6\)\], but "
     r"'layers/rnn/cell/cells/gru_cell' holds \[\(3, 6\), \(2, 6\)\]"),
    ("td_seq_bn", _add_extra("layers/time_distributed/extra/vars"),
     r"holds weights under \['layers/time_distributed/extra'\], but layer 'time_distributed' "
     r"\(TimeDistributed\) has no sublayer there"),
], ids=["missing-attribute", "missing-list-item", "missing-array", "extra-group"])
def test_a_file_that_does_not_fit_the_model_says_where(tmp_path, name, edit, message):
    path, _, _ = _fixture(name)
    _rewrite_weights(path, tmp_path / "bad.keras", edit)
    with pytest.raises(ValueError, match=message):
        keras.models.load_model(str(tmp_path / "bad.keras"))
