"""print_summary: tf.keras 2.15's table, checked line by line on fake models."""

import numpy as np
import pytest

from horn.frontend.models.summary import count_params, print_summary, readable_memory_size


class Weight:
    def __init__(self, shape, dtype="float32"):
        self.shape = shape
        self.dtype = np.dtype(dtype)


class FakeLayer:
    def __init__(self, name, output_shape, weights=(), non_trainable=(), inbound=(), built=True):
        self.name = name
        self.output_shape = output_shape
        self.trainable_weights = list(weights)
        self.non_trainable_weights = list(non_trainable)
        self._inbound = list(inbound)
        self.built = built

    def count_params(self):
        return count_params(self.trainable_weights + self.non_trainable_weights)

    def inbound_layer_names(self):
        return self._inbound


class Dense(FakeLayer):
    def __init__(self, name, units_in, units, inbound=()):
        super().__init__(name, (None, units), [Weight((units_in, units)), Weight((units,))], inbound=inbound)


class InputLayer(FakeLayer):
    def __init__(self, name, shape):
        super().__init__(name, [(None, *shape)])


class Add(FakeLayer):
    def __init__(self, name, output_shape, inbound):
        super().__init__(name, output_shape, inbound=inbound)


class BatchNormalization(FakeLayer):
    def __init__(self, name, units, inbound=()):
        super().__init__(
            name,
            (None, units),
            [Weight((units,)), Weight((units,))],
            [Weight((units,)), Weight((units,))],
            inbound=inbound,
        )


class FakeModel:
    def __init__(self, name, layers):
        self.name = name
        self.layers = layers

    @property
    def trainable_weights(self):
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [w for layer in self.layers for w in layer.non_trainable_weights]


class Sequential(FakeModel):
    pass


def summary_lines(model, **kwargs):
    lines = []
    print_summary(model, print_fn=lines.append, **kwargs)
    return lines


def test_sequential_layout_matches_tf_keras_2_15():
    model = FakeModel("sequential", [Dense("dense", 100, 64), Dense("dense_1", 64, 10, ["dense[0][0]"])])
    assert summary_lines(model) == [
        'Model: "sequential"',
        "_________________________________________________________________",
        " Layer (type)                Output Shape              Param #   ",
        "=================================================================",
        " dense (Dense)               (None, 64)                6464      ",
        "                                                                 ",
        " dense_1 (Dense)             (None, 10)                650       ",
        "                                                                 ",
        "=================================================================",
        "Total params: 7114 (27.79 KB)",
        "Trainable params: 7114 (27.79 KB)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_________________________________________________________________",
    ]


def test_functional_model_with_a_merge_gets_a_connected_to_column():
    layers = [
        InputLayer("input_1", (32,)),
        Dense("dense", 32, 64, ["input_1[0][0]"]),
        Dense("dense_1", 32, 64, ["input_1[0][0]"]),
        Add("add", (None, 64), ["dense[0][0]", "dense_1[0][0]"]),
        Dense("dense_2", 64, 10, ["add[0][0]"]),
    ]
    assert summary_lines(FakeModel("model", layers)) == [
        'Model: "model"',
        "_" * 98,
        " Layer (type)                Output Shape                 Param #   Connected to                  ",
        "=" * 98,
        " input_1 (InputLayer)        [(None, 32)]                 0         []                            ",
        " " * 98,
        " dense (Dense)               (None, 64)                   2112      ['input_1[0][0]']             ",
        " " * 98,
        " dense_1 (Dense)             (None, 64)                   2112      ['input_1[0][0]']             ",
        " " * 98,
        " add (Add)                   (None, 64)                   0         ['dense[0][0]',               ",
        "                                                                     'dense_1[0][0]']             ",
        " " * 98,
        " dense_2 (Dense)             (None, 10)                   650       ['add[0][0]']                 ",
        " " * 98,
        "=" * 98,
        "Total params: 4874 (19.04 KB)",
        "Trainable params: 4874 (19.04 KB)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_" * 98,
    ]


@pytest.mark.parametrize(
    "layers, sequential_like",
    [
        ([InputLayer("in", (4,)), Dense("d", 4, 2, ["in[0][0]"])], True),
        # one layer feeding two others is a branch
        ([InputLayer("in", (4,)), Dense("a", 4, 2, ["in[0][0]"]), Dense("b", 4, 2, ["in[0][0]"])], False),
        # two inputs
        ([InputLayer("x", (4,)), InputLayer("y", (4,))], False),
        # a layer with two inbound layers
        ([Add("add", (None, 4), ["x[0][0]", "y[0][0]"])], False),
    ],
    ids=["chain", "fan-out", "two-inputs", "merge"],
)
def test_sequential_like_detection(layers, sequential_like):
    lines = summary_lines(FakeModel("m", layers))
    assert len(lines[1]) == (65 if sequential_like else 98)
    assert lines[2].rstrip().endswith("Param #" if sequential_like else "Connected to")


def test_a_sequential_model_is_always_sequential_like():
    # Layers reporting several inbound names, but the model is a Sequential: three columns.
    model = Sequential("sequential", [Add("add", (None, 4), ["x[0][0]", "y[0][0]"])])
    assert len(summary_lines(model)[1]) == 65


def test_layers_without_connections_are_shown_as_a_sequence():
    class Plain:
        name, output_shape = "plain", (None, 3)
        trainable_weights, non_trainable_weights = [], []

        def count_params(self):
            return 0

    model = FakeModel("subclassed", [Plain()])
    assert summary_lines(model)[4] == " plain (Plain)               (None, 3)                 0         "


def test_long_names_wrap_and_unbuilt_layers_show_unused():
    layer = FakeLayer("a_rather_long_layer_name_here", (None, 12345678, 12345678, 12345678), built=False)
    lines = summary_lines(FakeModel("m", [layer]))
    # Column widths minus the separating spaces: 26 and 23 characters.
    assert lines[4:7] == [
        " a_rather_long_layer_name_h  (None, 12345678, 123456   0 (unused)",
        " ere (FakeLayer)             78, 12345678)                       ",
        " " * 65,
    ]


def test_non_trainable_and_shared_weights_are_counted_once():
    shared = Weight((10, 10))
    layers = [
        BatchNormalization("batch_normalization", 8),
        FakeLayer("tied_a", (None, 10), [shared], inbound=["batch_normalization[0][0]"]),
        FakeLayer("tied_b", (None, 10), [shared], inbound=["tied_a[0][0]"]),
    ]
    lines = summary_lines(FakeModel("m", layers))
    assert lines[-4:-1] == [
        "Total params: 132 (528.00 Byte)",
        "Trainable params: 116 (464.00 Byte)",
        "Non-trainable params: 16 (64.00 Byte)",
    ]


def test_dtype_sets_the_memory_size():
    layer = FakeLayer("w", (None, 1024), [Weight((1024, 1024), "float16")], [Weight((1024,), "float64")])
    lines = summary_lines(FakeModel("m", [layer]))
    assert lines[-4:-1] == [
        "Total params: 1049600 (2.01 MB)",
        "Trainable params: 1048576 (2.00 MB)",
        "Non-trainable params: 1024 (8.00 KB)",
    ]


@pytest.mark.parametrize(
    "size, text",
    [
        (0, "0.00 Byte"),
        (1023, "1023.00 Byte"),
        (1024, "1.00 KB"),
        (28456, "27.79 KB"),
        (5 * 1024**3, "5.00 GB"),
        (3 * 1024**5, "3.00 PB"),
    ],
    ids=["zero", "bytes", "one-kb", "kb", "gb", "pb"],
)
def test_readable_memory_size(size, text):
    assert readable_memory_size(size) == text


def test_custom_line_length_and_absolute_positions():
    model = FakeModel("m", [Dense("dense", 3, 2)])
    lines = summary_lines(model, line_length=40, positions=[20, 32, 40])
    assert lines[1] == "_" * 40
    assert lines[2:4] == [
        " Layer (type)       Output Sh   Param # ",
        "                    ape                 ",
    ]
    assert lines[5] == " dense (Dense)      (None, 2)   8       "


def test_positions_must_match_the_columns():
    with pytest.raises(ValueError, match="one position per column"):
        summary_lines(FakeModel("m", [Dense("dense", 3, 2)]), positions=[0.5, 1.0])


def test_output_shape_fallbacks():
    class NoShape(FakeLayer):
        @property
        def output_shape(self):
            raise AttributeError("no output")

        @output_shape.setter
        def output_shape(self, value):
            pass

    lines = summary_lines(FakeModel("m", [NoShape("shared", None)]))
    assert lines[4].startswith(" shared (NoShape)            multiple ")


def test_print_fn_defaults_to_print(capsys):
    print_summary(FakeModel("tiny", [Dense("dense", 1, 1)]))
    out = capsys.readouterr().out.splitlines()
    assert out[0] == 'Model: "tiny"'
    assert out[-2] == "Non-trainable params: 0 (0.00 Byte)"
