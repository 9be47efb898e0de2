"""keras.utils.plot_model / model_to_dot and keras.models.clone_model."""

import re
import shutil
import sys

import numpy as np
import pytest

import horn as keras
from horn import layers


def _sequential():
    return keras.Sequential([keras.Input((4,), name="x"), layers.Dense(8, activation="relu", name="d1"),
                             layers.Dropout(0.1, name="drop"), layers.Dense(2, name="d2")], name="seq")


def _two_in_two_out():
    a, b = keras.Input((4,), name="a"), keras.Input((3,), dtype="float32", name="b")
    h = layers.Concatenate(name="cat")([layers.Dense(5, name="da")(a), b])
    out1 = layers.Dense(2, activation="softmax", name="out1")(h)
    out2 = layers.Dense(1, name="out2")(h)
    return keras.Model([a, b], [out1, out2], name="two")


def _nested():
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(6, activation="tanh", name="i1"),
                              layers.Dense(3, name="i2")], name="inner")
    x = keras.Input((4,), name="x")
    y = layers.Dense(1, name="head")(inner(x))
    return keras.Model(x, y, name="outer"), inner


def _graph(dot):
    """{name: label text without tags}, and the edges as (source name, target name)."""
    nodes, names = {}, {}

    def walk(g):
        for node in g.get_nodes():
            label = node.get_label()
            if not label:
                continue
            name = re.search(r"<b>([^<]*)</b>", label).group(1)
            text = re.sub(r"<[^>]+>", " ", label[1:-1])
            nodes[name], names[node.get_name()] = " ".join(text.split()), name
        for sub in g.get_subgraphs():
            walk(sub)

    walk(dot)
    edges = set()

    def walk_edges(g):
        for e in g.get_edges():
            edges.add((names[str(e.get_source())], names[str(e.get_destination())]))
        for sub in g.get_subgraphs():
            walk_edges(sub)

    walk_edges(dot)
    return nodes, edges


# -- model_to_dot ------------------------------------------------------------------------------
def test_sequential_nodes_and_edges():
    pytest.importorskip("pydot")
    dot = keras.utils.model_to_dot(_sequential())
    nodes, edges = _graph(dot)
    assert nodes == {"d1": "d1 (Dense)", "drop": "drop (Dropout)", "d2": "d2 (Dense)"}
    assert edges == {("d1", "drop"), ("drop", "d2")}
    assert dot.get("rankdir") == "TB" and str(dot.get("dpi")) == "200"


def test_sequential_shapes_dtype_activations_trainable():
    pytest.importorskip("pydot")
    model = _sequential()
    model.get_layer("d2").trainable = False
    nodes, _ = _graph(keras.utils.model_to_dot(model, show_shapes=True, show_dtype=True, rankdir="LR",
                                               show_layer_activations=True, show_trainable=True))
    assert nodes["d1"] == ("d1 (Dense) Activation: relu Trainable Input shape: (None, 4) "
                           "Output shape: (None, 8) Input dtype: float32 Output dtype: float32")
    assert nodes["d2"].startswith("d2 (Dense) Activation: linear Non-trainable Input shape: (None, 8)")
    assert "Trainable" not in nodes["drop"]  # no weights, no mark
    assert "Activation" not in nodes["drop"]


def test_rankdir_and_layer_names_off():
    pytest.importorskip("pydot")
    dot = keras.utils.model_to_dot(_sequential(), rankdir="LR", show_layer_names=False)
    assert dot.get("rankdir") == "LR"
    labels = [n.get_label() for n in dot.get_nodes() if n.get_label()]
    assert sorted(re.search(r"<b>([^<]*)</b>", lab).group(1) for lab in labels) == ["Dense", "Dense", "Dropout"]
    assert not any("d1" in lab for lab in labels)
    with pytest.raises(ValueError, match="rankdir"):
        keras.utils.model_to_dot(_sequential(), rankdir="UP")


def test_two_inputs_two_outputs():
    pytest.importorskip("pydot")
    nodes, edges = _graph(keras.utils.model_to_dot(_two_in_two_out(), show_shapes=True))
    assert set(nodes) == {"a", "b", "da", "cat", "out1", "out2"}
    assert edges == {("a", "da"), ("da", "cat"), ("b", "cat"), ("cat", "out1"), ("cat", "out2")}
    assert nodes["a"] == "a (InputLayer) Output shape: (None, 4)"
    assert nodes["cat"] == ("cat (Concatenate) Input shape: [(None, 5), (None, 3)] "
                            "Output shape: (None, 8)")


def test_nested_collapsed_and_expanded():
    pytest.importorskip("pydot")
    model, _ = _nested()
    nodes, edges = _graph(keras.utils.model_to_dot(model, show_shapes=True))
    assert set(nodes) == {"x", "inner", "head"}
    assert nodes["inner"] == "inner (Sequential) Input shape: (None, 4) Output shape: (None, 3)"
    assert edges == {("x", "inner"), ("inner", "head")}

    dot = keras.utils.model_to_dot(model, expand_nested=True)
    nodes, edges = _graph(dot)
    assert set(nodes) == {"x", "i1", "i2", "head"}
    assert edges == {("x", "i1"), ("i1", "i2"), ("i2", "head")}
    clusters = dot.get_subgraphs()
    assert [c.get_name() for c in clusters] == ["cluster_inner"]
    assert sorted(_graph(clusters[0])[0]) == ["i1", "i2"]
    assert clusters[0].get("style") == "dashed"


def test_unbuilt_model_is_refused():
    pytest.importorskip("pydot")
    with pytest.raises(ValueError, match="not built"):
        keras.utils.model_to_dot(keras.Sequential([layers.Dense(2)]))


# -- plot_model --------------------------------------------------------------------------------
def test_plot_model_writes_dot_file(tmp_path):
    pydot = pytest.importorskip("pydot")
    path = tmp_path / "model.dot"
    assert keras.utils.plot_model(_two_in_two_out(), to_file=str(path), show_shapes=True, rankdir="LR") is None
    (graph,) = pydot.graph_from_dot_file(str(path))
    nodes, edges = _graph(graph)
    assert graph.get("rankdir") == "LR"
    assert ("cat", "out2") in edges and len(edges) == 5
    assert nodes["out1"] == "out1 (Dense) Input shape: (None, 8) Output shape: (None, 2)"


def test_plot_model_png_needs_graphviz(tmp_path):
    pytest.importorskip("pydot")
    path = tmp_path / "model.png"
    if shutil.which("dot") is not None:
        keras.utils.plot_model(_sequential(), to_file=str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return
    with pytest.raises(ImportError, match=r"graphviz.*`dot` program") as info:
        keras.utils.plot_model(_sequential(), to_file=str(path))
    assert "model.dot" in str(info.value)
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_missing_pydot_message(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pydot", None)
    for fn in (keras.utils.model_to_dot, keras.utils.plot_model):
        with pytest.raises(ImportError, match=r'pip install "horn\[plot\]"'):
            fn(_sequential())


# -- clone_model -------------------------------------------------------------------------------
def _weights_differ(a, b):
    return any(not np.allclose(x, y) for x, y in zip(a.get_weights(), b.get_weights()) if x.size > 1)


@pytest.mark.parametrize("make", [_sequential, _two_in_two_out, lambda: _nested()[0]],
                         ids=["sequential", "two_in_two_out", "nested"])
def test_clone_same_architecture_new_weights(make):
    model = make()
    before = [w.copy() for w in model.get_weights()]
    clone = keras.models.clone_model(model)
    assert type(clone) is type(model) and clone is not model
    assert clone.get_config() == model.get_config()
    assert [type(layer) for layer in clone.layers] == [type(layer) for layer in model.layers]
    assert all(c is not o for c, o in zip(clone.layers, model.layers))
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in before]
    assert _weights_differ(clone, model)
    assert clone.optimizer is None and model.optimizer is None
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((3,) + tuple(t.shape[1:])).astype(np.float32) for t in model.inputs]
    xs = xs[0] if len(xs) == 1 else xs
    clone.set_weights(model.get_weights())
    expected, got = model.predict(xs, verbose=0), clone.predict(xs, verbose=0)
    expected, got = (expected, got) if isinstance(expected, list) else ([expected], [got])
    assert len(expected) == len(got) == len(model.outputs)
    for p, q in zip(expected, got):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
    for w, b in zip(model.get_weights(), before):  # the original is untouched
        np.testing.assert_array_equal(w, b)


def test_clone_not_compiled_and_compiled_original_untouched():
    model = _sequential()
    model.compile(optimizer="adam", loss="mse")
    clone = keras.models.clone_model(model)
    assert clone.optimizer is None
    assert model.optimizer is not None
    with pytest.raises((RuntimeError, ValueError), match="compile"):
        clone.fit(np.zeros((4, 4), np.float32), np.zeros((4, 2), np.float32), verbose=0)


def test_clone_keeps_shared_layers_shared():
    x1, x2 = keras.Input((3,), name="x1"), keras.Input((3,), name="x2")
    shared = layers.Dense(2, name="shared")
    model = keras.Model([x1, x2], layers.Add(name="add")([shared(x1), shared(x2)]))
    clone = keras.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert len(clone.get_weights()) == 2  # one kernel, one bias
    new_shared = clone.get_layer("shared")
    assert new_shared is not shared and len(new_shared._inbound_nodes) == 2
    assert len(shared._inbound_nodes) == 2  # the original's calls are unchanged
    clone.set_weights(model.get_weights())
    a, b = np.ones((2, 3), np.float32), np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(clone.predict([a, b], verbose=0), model.predict([a, b], verbose=0), rtol=1e-5)


def test_clone_function_adds_regularizer():
    seen = []

    def add_l2(layer):
        seen.append(layer.name)
        config = layer.get_config()
        if "kernel_regularizer" in config:
            config["kernel_regularizer"] = {"class_name": "L2", "config": {"l2": 0.5}}
        return layer.__class__.from_config(config)

    model = _two_in_two_out()
    clone = keras.models.clone_model(model, clone_function=add_l2)
    assert sorted(seen) == ["cat", "da", "out1", "out2"]  # input layers are re-created, not cloned
    assert clone.get_layer("out1").get_config()["kernel_regularizer"]["config"]["l2"] == pytest.approx(0.5)
    assert model.get_layer("out1").get_config()["kernel_regularizer"] is None


def test_clone_function_must_return_a_layer():
    with pytest.raises(TypeError, match="clone_function must return a layer.*'d1'"):
        keras.models.clone_model(_sequential(), clone_function=lambda layer: None)


def test_clone_nested_model_and_recursive():
    model, inner = _nested()
    clone = keras.models.clone_model(model)
    new_inner = clone.get_layer("inner")
    assert isinstance(new_inner, keras.Sequential) and new_inner is not inner
    assert [layer.name for layer in new_inner.layers] == ["i1", "i2"]
    assert all(a is not b for a, b in zip(new_inner.layers, inner.layers))

    renamed = []

    def tag(layer):
        renamed.append(layer.name)
        return layer.__class__.from_config({**layer.get_config(), "name": layer.name + "_c"})

    clone = keras.models.clone_model(model, clone_function=tag, recursive=True)
    assert sorted(renamed) == ["head", "i1", "i2"]
    assert [layer.name for layer in clone.get_layer("inner").layers] == ["i1_c", "i2_c"]


def test_clone_input_tensors_and_call_function():
    model = _two_in_two_out()
    a, b = keras.Input((4,), name="new_a"), keras.Input((3,), name="new_b")
    calls = []

    def call_function(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)

    clone = keras.models.clone_model(model, input_tensors=[a, b], call_function=call_function)
    assert clone.inputs[0] is a and clone.inputs[1] is b
    assert sorted(calls) == sorted(layer.name for layer in model.layers if not isinstance(layer, layers.InputLayer))
    with pytest.raises(ValueError, match="expected 2 input tensor"):
        keras.models.clone_model(model, input_tensors=[a])
    with pytest.raises(TypeError, match="expected a horn model"):
        keras.models.clone_model(layers.Dense(2))
