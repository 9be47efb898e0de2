"""horn.runtime.load(): exported files run with nothing but numpy and onnxruntime."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import horn as keras
import horn.runtime
from horn import layers, ops

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RNG = np.random.default_rng(0)


class Concat(layers.Layer):
    def call(self, inputs):
        return ops.concatenate(inputs, axis=-1)


def _classifier():
    keras.config.set_random_seed(0)
    model = keras.Sequential([layers.Dense(16, activation="relu", input_dim=5), layers.Dropout(0.3),
                              layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = RNG.standard_normal((64, 5)).astype(np.float32)
    model.fit(x, keras.utils.to_categorical(RNG.integers(0, 3, 64), 3), epochs=2, verbose=0)
    return model


def _two_in_two_out():
    keras.config.set_random_seed(0)
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    h = Concat()([a, b])
    return keras.Model([a, b], [layers.Dense(1, name="reg")(h), layers.Dense(3, activation="softmax", name="cls")(h)])


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _classifier()
    path = str(tmp_path_factory.mktemp("standalone") / "classifier.onnx")
    model.export(path, verbose=False)
    return model, path


@pytest.mark.parametrize("n, batch_size", [(1, 32), (7, 32), (100, 32), (100, 7)])
def test_load_predict_equals_model_predict(exported, n, batch_size):
    model, path = exported
    loaded = horn.runtime.load(path)
    x = RNG.standard_normal((n, 5)).astype(np.float32)
    got = loaded.predict(x, batch_size=batch_size)
    assert isinstance(got, np.ndarray) and got.shape == (n, 3)
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(loaded(x), got)  # calling is predict


def test_load_converts_float64_input(exported):
    model, path = exported
    x = RNG.standard_normal((4, 5))
    np.testing.assert_allclose(horn.runtime.load(path).predict(x), model.predict(x, verbose=0), rtol=1e-5,
                               atol=1e-6)


def test_load_multi_input_multi_output(tmp_path):
    model = _two_in_two_out()
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    loaded = horn.runtime.load(path)
    assert loaded.input_names == ["a", "b"] and loaded.output_names == ["reg", "cls"]
    xa, xb = RNG.standard_normal((9, 3)).astype(np.float32), RNG.standard_normal((9, 2)).astype(np.float32)
    want = model.predict([xa, xb], verbose=0)
    for x in ([xa, xb], {"a": xa, "b": xb}):
        got = loaded.predict(x, batch_size=4)
        assert len(got) == 2
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"takes 2 inputs \['a', 'b'\], got 1"):
        loaded.predict(xa)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no exported model"):
        horn.runtime.load(str(tmp_path / "missing.onnx"))


STANDALONE = textwrap.dedent("""
    import json, sys
    sys.modules['onnx'] = None
    sys.modules['networkx'] = None
    sys.modules['h5py'] = None
    import numpy as np
    import horn.runtime
    for name in ('onnx', 'networkx', 'h5py'):
        try:
            __import__(name)
        except ImportError:
            pass
        else:
            raise SystemExit(name + ' was importable: the test does not block it')
    x = np.array(json.loads(sys.argv[2]), np.float32)
    out = horn.runtime.load(sys.argv[1]).predict(x)
    loaded = sorted(m for m in sys.modules if m == 'horn' or m.startswith('horn.'))
    print(json.dumps({'out': out.tolist(), 'horn_modules': loaded}))
""")


def test_runtime_needs_only_numpy_and_onnxruntime(exported):
    model, path = exported
    x = RNG.standard_normal((6, 5)).astype(np.float32)
    proc = subprocess.run([sys.executable, "-c", STANDALONE, path, json.dumps(x.tolist())],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(np.array(result["out"], np.float32), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    # neither the frontend nor the compiler was loaded
    assert all(m == "horn" or m.startswith("horn.runtime") for m in result["horn_modules"]), result["horn_modules"]
