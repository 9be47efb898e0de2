"""`plot_model` and `model_to_dot`: a model's layer graph as a pydot/graphviz drawing.

pydot is imported only when a function here runs, so horn imports without it. The layout
follows Keras 3's: one node per layer (an HTML-like table label), edges along the layer graph,
nested models drawn as one node or, with `expand_nested=True`, as a dashed cluster.
"""

from __future__ import annotations

import errno
import html
import os

from .. import tracing

_RANKDIRS = ("TB", "LR", "BT", "RL")
_IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "svg", "bmp")


def _import_pydot():
    """pydot, or an ImportError that says how to install it."""
    try:
        import pydot
    except ImportError as e:
        raise ImportError(
            "plot_model() and model_to_dot() need the pydot package, which is not installed. "
            'Install it with `pip install "horn[plot]"` (or `pip install pydot`); to render images '
            "(.png, .svg, .pdf) you also need graphviz's `dot` program (https://graphviz.org/download/)."
        ) from e
    if pydot is None:  # sys.modules["pydot"] = None also means "not installed"
        raise ImportError('plot_model() needs pydot: `pip install "horn[plot]"` (or `pip install pydot`).')
    return pydot


def _is_model(layer) -> bool:
    return hasattr(layer, "_init_training") and hasattr(layer, "_nodes")


def _is_sequential(model) -> bool:
    return any(cls.__name__ == "Sequential" for cls in type(model).__mro__)


def _model_layers(model) -> list:
    """The layers drawn for `model`: Sequential shows its stack, a functional model every call."""
    return list(model.layers) if _is_sequential(model) else list(model._layers)


def _shape_text(shapes) -> str:
    shapes = [tracing.map_structure(lambda t: t.shape, s) for s in shapes]
    if not shapes:
        return "?"
    if any(s != shapes[0] for s in shapes[1:]):
        return "multiple"
    shape = shapes[0]
    if isinstance(shape, list) and len(shape) == 1:
        shape = shape[0]
    return str(shape)


def _dtype_text(structs) -> str:
    dtypes = []
    for s in structs:
        for t in tracing.flatten(s):
            name = str(getattr(t, "dtype", "?"))
            if name not in dtypes:
                dtypes.append(name)
    return ", ".join(dtypes) if dtypes else "?"


def _activation_name(layer) -> str | None:
    fn = getattr(layer, "activation", None)
    if fn is None or not callable(fn):
        return None
    from .. import activations

    try:
        return str(activations.serialize(fn))
    except (ValueError, TypeError, KeyError):
        return getattr(fn, "__name__", type(fn).__name__)


def _cell(text: str, colspan: int = 1, bold_name: str | None = None) -> str:
    body = html.escape(text) if bold_name is None else f"<b>{html.escape(bold_name)}</b> {html.escape(text)}"
    span = f' colspan="{colspan}"' if colspan > 1 else ""
    return f'<td{span} bgcolor="white"><font point-size="14">{body}</font></td>'


def _layer_label(layer, nodes, opts) -> str:
    """The HTML-like label of one layer: header, then the rows asked for."""
    class_name = type(layer).__name__
    if opts["show_layer_names"]:
        header = f"<b>{html.escape(layer.name)}</b> ({html.escape(class_name)})"
    else:
        header = f"<b>{html.escape(class_name)}</b>"
    rows = [f'<tr><td colspan="2" bgcolor="black"><font point-size="16" color="white">{header}</font></td></tr>']
    extra = []
    if opts["show_layer_activations"]:
        name = _activation_name(layer)
        if name is not None:
            extra.append(f"Activation: {name}")
    if opts["show_trainable"] and layer.weights:
        extra.append("Trainable" if layer.trainable else "Non-trainable")
    if extra:
        rows.append("<tr>" + "".join(_cell(t, colspan=2 if len(extra) == 1 else 1) for t in extra) + "</tr>")
    has_inputs = any(n.input_tensors for n in nodes)
    if opts["show_shapes"]:
        cells = []
        if has_inputs:
            cells.append(_cell(f"Input shape: {_shape_text([n.inputs for n in nodes])}"))
        cells.append(_cell(f"Output shape: {_shape_text([n.outputs for n in nodes])}", 2 - len(cells)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if opts["show_dtype"]:
        cells = []
        if has_inputs:
            cells.append(_cell(f"Input dtype: {_dtype_text([n.input_tensors for n in nodes])}"))
        cells.append(_cell(f"Output dtype: {_dtype_text([n.outputs for n in nodes])}", 2 - len(cells)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


def _pick(endpoints: list[list[str]], index: int) -> list[str]:
    """The node ids behind input/output `index`; all of them when the index is out of range."""
    if 0 <= index < len(endpoints):
        return endpoints[index]
    return [i for ids in endpoints for i in ids]


def _draw_model(pydot, graph, model, opts):
    """Draw `model`'s layers into `graph`; returns (node ids per model input, per model output)."""
    if not model.built or not model._nodes:
        raise ValueError(f"model_to_dot() needs a built model, but model '{model.name}' is not built yet. Build "
                         "it by giving its first layer an input shape, by calling build(input_shape), or by "
                         "calling it on data.")
    in_model = {id(n) for n in model._nodes}
    endpoints = {}  # id(layer) -> (entries per layer input, exits per layer output)
    for layer in _model_layers(model):
        nodes = [n for n in layer._inbound_nodes if id(n) in in_model]
        if opts["expand_nested"] and _is_model(layer) and layer.built:
            cluster = pydot.Cluster(graph_name=layer.name, label=layer.name, style="dashed")
            endpoints[id(layer)] = _draw_model(pydot, cluster, layer, opts)
            graph.add_subgraph(cluster)
        else:
            node_id = str(id(layer))
            graph.add_node(pydot.Node(node_id, label=_layer_label(layer, nodes, opts)))
            endpoints[id(layer)] = ([[node_id]], [[node_id]])

    edges = set()

    def connect(src_ids, dst_ids):
        for src in src_ids:
            for dst in dst_ids:
                if (src, dst) not in edges:
                    edges.add((src, dst))
                    graph.add_edge(pydot.Edge(src, dst))

    if _is_sequential(model):
        stack = _model_layers(model)
        for prev, layer in zip(stack, stack[1:]):
            connect(_pick(endpoints[id(prev)][1], 0), _pick(endpoints[id(layer)][0], 0))
        first, last = endpoints[id(stack[0])], endpoints[id(stack[-1])]
        return [_pick(first[0], 0)], [_pick(last[1], 0)]

    for node in model._nodes:
        if id(node.layer) not in endpoints:
            continue
        for position, tensor in enumerate(node.input_tensors):
            if tensor._keras_history is None:
                continue
            parent, _, tensor_index = tensor._keras_history
            if id(parent) in endpoints:
                connect(_pick(endpoints[id(parent)][1], tensor_index),
                        _pick(endpoints[id(node.layer)][0], position))

    def ends(tensors, side):
        out = []
        for t in tensors:
            layer, _, tensor_index = t._keras_history
            out.append(_pick(endpoints[id(layer)][side], tensor_index if side == 1 else 0))
        return out

    return ends(model.inputs, 0), ends(model.outputs, 1)


def model_to_dot(
    model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    **kwargs,
):
    """The model's layer graph as a `pydot.Dot`: one node per layer, one edge per connection.

    Args:
        model: A built Sequential or functional model (a subclassed model is drawn as one node).
        show_shapes: Add each layer's input and output shapes, `(None, 64)`, to its node.
        show_dtype: Add each layer's input and output dtypes.
        show_layer_names: Head each node with the layer name and class (else the class only).
        rankdir: Graphviz direction: "TB" (top to bottom), "LR", "BT" or "RL".
        expand_nested: Draw nested models' layers inside a dashed cluster instead of one node.
        dpi: Image resolution written into the graph.
        subgraph: Return a `pydot.Cluster` (used when drawing a model inside another).
        show_layer_activations: Add the activation of layers that have one (`Activation: relu`).
        show_trainable: Mark layers with weights as "Trainable" or "Non-trainable".

    Returns:
        A `pydot.Dot` (a `pydot.Cluster` when `subgraph=True`).

    Example:

    ```python
    dot = keras.utils.model_to_dot(model, show_shapes=True)
    print(dot.to_string())
    ```
    """
    if kwargs:
        raise TypeError(f"model_to_dot() got unexpected keyword argument(s) {sorted(kwargs)}")
    if rankdir not in _RANKDIRS:
        raise ValueError(f"model_to_dot() expected rankdir to be one of {_RANKDIRS}, but got {rankdir!r}")
    if not _is_model(model):
        raise TypeError(f"model_to_dot() expected a horn model (Sequential or Model), "
                        f"but got {type(model).__name__}: {model!r}")
    pydot = _import_pydot()
    opts = {"show_shapes": show_shapes, "show_dtype": show_dtype, "show_layer_names": show_layer_names,
            "expand_nested": expand_nested, "show_layer_activations": show_layer_activations,
            "show_trainable": show_trainable}
    if subgraph:
        dot = pydot.Cluster(graph_name=model.name, label=model.name, style="dashed")
    else:
        dot = pydot.Dot(graph_type="digraph")
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set_node_defaults(shape="plaintext", fontname="Helvetica")
        dot.set_edge_defaults(arrowsize="0.8")
    if not model._nodes and not _is_sequential(model):
        dot.add_node(pydot.Node(str(id(model)), label=_layer_label(model, [], opts)))  # subclassed
        return dot
    _draw_model(pydot, dot, model, opts)
    return dot


def plot_model(
    model,
    to_file: str = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    **kwargs,
):
    """Draw the model's layer graph to a file.

    A `.dot` (or `.gv`) file gets the DOT source and needs only pydot; any other extension
    (`.png`, `.svg`, `.pdf`, ...; none means `.png`) is rendered by graphviz's `dot` program.

    Args:
        model: A built Sequential or functional model.
        to_file: Where to write; the extension picks the format.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
        show_layer_activations, show_trainable: As in `model_to_dot`.

    Returns:
        An `IPython.display.Image` of the file when IPython is installed and the file is an
        image, else None.

    Raises:
        ImportError: pydot is not installed, or graphviz's `dot` is missing for an image.

    Example:

    ```python
    keras.utils.plot_model(model, to_file="model.dot", show_shapes=True)
    ```
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, expand_nested=expand_nested,
                       dpi=dpi, show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, **kwargs)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension in ("dot", "gv"):
        with open(to_file, "w", encoding="utf-8") as f:
            f.write(dot.to_string())
        return None
    try:
        dot.write(to_file, format=extension)
    except OSError as e:
        if getattr(e, "errno", None) != errno.ENOENT or os.path.dirname(to_file) and not os.path.isdir(
                os.path.dirname(to_file)):
            raise
        raise ImportError(
            f"plot_model() renders {to_file!r} with graphviz's `dot` program, which was not found on PATH "
            f"(pydot said: {e.args[-1]}). Install graphviz (`apt-get install graphviz`, `brew install graphviz`, "
            "`conda install graphviz` or https://graphviz.org/download/), or write the DOT source instead "
            "with to_file='model.dot'."
        ) from e
    if extension not in _IMAGE_EXTENSIONS:
        return None
    try:
        from IPython import display
    except ImportError:
        return None
    return display.Image(filename=to_file)


__all__ = ["model_to_dot", "plot_model"]
