"""Sequential: a plain stack of layers, one input and one output."""

from ..layers.input_layer import Input, InputLayer
from ..layers.keras_tensor import KerasTensor
from .functional import Model


class Sequential(Model):
    """A linear stack of layers.

    The first layer may declare the input (`input_shape=`, `input_dim=`, `batch_input_shape=`,
    or an `Input`/`InputLayer` added first); otherwise the model is built on the first data.

    Example:
        model = Sequential()
        model.add(Dense(64, activation="relu", input_dim=100))
        model.add(Dense(10, activation="softmax"))
    """

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    def add(self, layer, rebuild=True):
        if isinstance(layer, KerasTensor) and isinstance(layer._keras_history[0], InputLayer):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError(f"Sequential model '{self.name}': an InputLayer can only come first")
            self._input_layer = layer
            return
        if not hasattr(layer, "_inbound_nodes") or not callable(layer):
            raise TypeError(f"Sequential.add() takes a layer, got {type(layer).__name__}: {layer!r}")
        self._stack.append(layer)
        if self._input_layer is None and len(self._stack) == 1 and layer._batch_input_shape is not None:
            self._input_layer = InputLayer(batch_input_shape=layer._batch_input_shape,
                                           dtype=layer._input_dtype, name=f"{layer.name}_input")
        if rebuild:
            self._rebuild()

    def pop(self):
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._rebuild()
        return layer

    def _rebuild(self):
        if self._input_layer is None or not self._stack:
            self.inputs, self.outputs, self._nodes, self._layers = [], [], [], []
            self._inputs_struct = self._outputs_struct = None
            self._predict_programs, self._train_programs, self._eval_programs = {}, {}, {}
            self.built = False
            return
        x = self._input_layer.output
        inputs = x
        for layer in self._stack:
            x = layer(x)
        self._init_graph(inputs, x)

    def build(self, input_shape=None):
        if self._input_layer is None:
            if input_shape is None:
                raise ValueError(f"Sequential model '{self.name}' cannot be built without an input shape")
            self._input_layer = InputLayer(batch_input_shape=tuple(input_shape), name=f"{self.name}_input")
        self._rebuild()

    def _build_from_data(self, shapes_and_dtypes):
        if self._input_layer is None:
            (shape, dtype), = shapes_and_dtypes
            self._input_layer = InputLayer(batch_input_shape=(None,) + tuple(shape[1:]), dtype=dtype,
                                           name=f"{self.name}_input")
            self._rebuild()

    @property
    def layers(self):
        return list(self._stack)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A Sequential from get_config() (or Keras 2's bare list of layer configs)."""
        from ..saving.serialization import model_from_config

        return model_from_config({"class_name": "Sequential", "config": config}, custom_objects)

    def get_config(self):
        layers = [{"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self._stack]
        config = {"name": self.name, "layers": layers}
        if self._input_layer is not None:
            config["build_input_shape"] = self._input_layer.batch_shape
        return config


_ = Input
