"""model.export(): a standard ONNX file that a bare onnxruntime session runs like predict()."""

import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import horn as keras
from horn import layers, ops

RNG = np.random.default_rng(0)


class Concat(layers.Layer):
    def call(self, inputs):
        return ops.concatenate(inputs, axis=-1)


def _sequential():
    keras.config.set_random_seed(0)
    return keras.Sequential([layers.Dense(16, activation="relu", input_dim=6), layers.Dropout(0.5),
                             layers.Dense(4, activation="softmax")])


def _functional():
    keras.config.set_random_seed(0)
    x = keras.Input(shape=(2, 3))
    h = layers.Flatten()(x)
    h = layers.Dense(8, activation="tanh")(h)
    return keras.Model(x, layers.Reshape((2, 2))(layers.Dense(4)(h)))


def _two_in_two_out():
    keras.config.set_random_seed(0)
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    h = Concat()([a, b])
    return keras.Model([a, b], [layers.Dense(1, name="reg")(h), layers.Dense(3, activation="softmax", name="cls")(h)])


MODELS = {"sequential-dropout": _sequential, "functional-reshape": _functional, "two-in-two-out": _two_in_two_out}


def _inputs(model, n):
    return [RNG.standard_normal((n, *t.shape[1:])).astype(np.float32) for t in model.inputs]


def _run_bare(path, model, xs):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == model.input_names
    return session.run(None, dict(zip(model.input_names, xs)))


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return out if isinstance(out, list) else [out]


@pytest.mark.parametrize("kind", list(MODELS))
@pytest.mark.parametrize("how", ["default", "format-onnx"])
def test_bare_onnxruntime_matches_predict(kind, how, tmp_path):
    model = MODELS[kind]()
    path = str(tmp_path / "m.onnx")
    if how == "default":
        model.export(path, verbose=False)
    else:
        model.export(path, format="onnx", verbose=False)
    for n in (1, 7, 64):
        xs = _inputs(model, n)
        got, want = _run_bare(path, model, xs), _predict(model, xs)
        assert len(got) == len(want) == len(model.outputs)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.shape[0] == n
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", list(MODELS))
def test_exported_file_is_valid_standard_onnx(kind, tmp_path):
    model = MODELS[kind]()
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert {n.domain for n in proto.graph.node} <= {"", "ai.onnx"}
    assert {o.domain for o in proto.opset_import} <= {"", "ai.onnx"}
    assert [i.name for i in proto.graph.input] == model.input_names
    assert [o.name for o in proto.graph.output] == model.output_names
    for value in list(proto.graph.input) + list(proto.graph.output):
        dims = value.type.tensor_type.shape.dim
        assert dims[0].dim_param and not dims[0].HasField("dim_value"), f"{value.name}: batch axis not symbolic"
        assert all(d.HasField("dim_value") for d in dims[1:])


def test_dropout_is_not_exported(tmp_path):
    model = _sequential()
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    ops_used = {n.op_type for n in onnx.load(path).graph.node}
    assert "Dropout" not in ops_used
    assert "Relu" in ops_used and "Softmax" in ops_used


def test_export_prints_where_it_saved(tmp_path, capsys):
    path = str(tmp_path / "m.onnx")
    _sequential().export(path)
    assert path in capsys.readouterr().out


def test_export_after_fit_has_trained_weights(tmp_path):
    model = _sequential()
    x = RNG.standard_normal((64, 6)).astype(np.float32)
    y = keras.utils.to_categorical(RNG.integers(0, 4, 64), 4)
    before, after = str(tmp_path / "before.onnx"), str(tmp_path / "after.onnx")
    model.export(before, verbose=False)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(x, y, epochs=3, verbose=0)
    model.export(after, verbose=False)
    got_before, = _run_bare(before, model, [x])
    got_after, = _run_bare(after, model, [x])
    assert not np.allclose(got_before, got_after, atol=1e-4)
    np.testing.assert_allclose(got_after, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_export_to_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _sequential().export(str(tmp_path / "no" / "such" / "dir" / "m.onnx"), verbose=False)
    assert not (tmp_path / "no").exists()


def _stray_files(directory, keep):
    return sorted(set(os.listdir(directory)) - set(keep))


def test_export_over_an_existing_file_replaces_it(tmp_path):
    path = str(tmp_path / "m.onnx")
    first, second = _sequential(), _sequential()
    second.set_weights([w + 1.0 for w in second.get_weights()])
    first.export(path, verbose=False)
    second.export(path, verbose=False)
    x = _inputs(second, 5)
    np.testing.assert_allclose(_run_bare(path, second, x)[0], second.predict(x[0], verbose=0), rtol=1e-5, atol=1e-6)
    assert not np.allclose(_run_bare(path, second, x)[0], first.predict(x[0], verbose=0), atol=1e-4)
    assert _stray_files(tmp_path, ["m.onnx"]) == []


def test_failed_export_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = str(tmp_path / "m.onnx")
    model = _sequential()
    model.export(path, verbose=False)
    with open(path, "rb") as f:
        original = f.read()

    def broken_save(proto, f, *args, **kwargs):
        with open(f, "wb") as out:
            out.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(onnx, "save_model", broken_save)
    model.set_weights([w * 2 for w in model.get_weights()])
    with pytest.raises(OSError, match="disk full"):
        model.export(path, verbose=False)
    with open(path, "rb") as f:
        assert f.read() == original
    assert _stray_files(tmp_path, ["m.onnx"]) == []


def test_failed_first_export_leaves_no_file(tmp_path, monkeypatch):
    def broken_save(proto, f, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(onnx, "save_model", broken_save)
    with pytest.raises(OSError, match="disk full"):
        _sequential().export(str(tmp_path / "m.onnx"), verbose=False)
    assert os.listdir(tmp_path) == []


def test_export_rejects_other_formats(tmp_path):
    with pytest.raises(ValueError, match="format='onnx' only"):
        _sequential().export(str(tmp_path / "m"), format="tf_saved_model")


def test_export_before_build_raises(tmp_path):
    with pytest.raises(ValueError, match="not built"):
        keras.Sequential([layers.Dense(2)]).export(str(tmp_path / "m.onnx"))
