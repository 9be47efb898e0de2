"""Convolutional layers against numpy references written here in Keras's layouts.

Each case builds a layer from Keras-style kwargs and checks: output shapes (compute_output_shape
and a symbolic call, None batch), weight names, shapes and count (Keras's layouts), the config
round trip, eager outputs against a direct numpy convolution, one SGD step against finite
differences of the numpy loss, and the exported ONNX file against predict(). Then the errors.
"""

import os
from dataclasses import dataclass

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from gradcheck import central_differences

import horn as keras
from horn import layers

RNG = np.random.default_rng(3)


# -- numpy references (channels_last; Keras/TensorFlow semantics) ------------------------------
def _tuple(v, r):
    return (v,) * r if isinstance(v, int) else tuple(v)


def _conv_pads(n, k, s, d, padding):
    """TensorFlow's padding: 'same' gives ceil(n / s) outputs, the odd pad at the end."""
    eff = (k - 1) * d + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return eff - 1, 0
    total = max((-(-n // s) - 1) * s + eff - n, 0)
    return total // 2, total - total // 2


def np_conv(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """y[n, p, f] = sum_{tap, c in f's group} x_pad[n, p*s + tap*d, c] kernel[tap, c, f]."""
    r = x.ndim - 2
    s, d = _tuple(strides, r), _tuple(dilation_rate, r)
    k = kernel.shape[:r]
    cg, f = kernel.shape[r:]
    groups = x.shape[-1] // cg
    fg = f // groups
    pads = [_conv_pads(x.shape[1 + i], k[i], s[i], d[i], padding) for i in range(r)]
    xp = np.pad(x, [(0, 0)] + pads + [(0, 0)])
    out = [(xp.shape[1 + i] - (k[i] - 1) * d[i] - 1) // s[i] + 1 for i in range(r)]
    y = np.zeros((x.shape[0], *out, f))
    for tap in np.ndindex(*k):
        where = tuple(slice(t * dd, t * dd + ss * (o - 1) + 1, ss) for t, dd, ss, o in zip(tap, d, s, out))
        patch = xp[(slice(None),) + where]
        for g in range(groups):
            y[..., g * fg:(g + 1) * fg] += patch[..., g * cg:(g + 1) * cg] @ kernel[tap][:, g * fg:(g + 1) * fg]
    return y if bias is None else y + bias


def np_depthwise(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """Channel c with its own depth_multiplier filters: output channel c * dm + m."""
    r = x.ndim - 2
    c, dm = kernel.shape[r:]
    ys = [np_conv(x[..., i:i + 1], kernel[..., i:i + 1, :], None, strides, padding, dilation_rate)
          for i in range(c)]  # each (N, *out, dm)
    y = np.concatenate(ys, axis=-1)
    return y if bias is None else y + bias


def np_separable(x, depthwise, pointwise, bias=None, strides=1, padding="valid", dilation_rate=1):
    y = np_depthwise(x, depthwise, None, strides, padding, dilation_rate)
    y = y @ pointwise.reshape(pointwise.shape[-2:])
    return y if bias is None else y + bias


def np_conv_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None, dilation_rate=1):
    """TensorFlow's conv_transpose: the adjoint of a conv from the Keras output size O down to x
    (padding 'same': that conv's begin pad, 'valid': none); kernel (*k, filters, channels)."""
    r = x.ndim - 2
    s, d = _tuple(strides, r), _tuple(dilation_rate, r)
    k, f = kernel.shape[:r], kernel.shape[r]
    op = (None,) * r if output_padding is None else _tuple(output_padding, r)
    sizes = x.shape[1:-1]
    out, before = [], []
    for n, kk, ss, dd, p in zip(sizes, k, s, d, op):
        eff = (kk - 1) * dd + 1
        if p is None:
            o = (n - 1) * ss + max(eff, ss) if padding == "valid" else n * ss
        else:
            o = (n - 1) * ss + (eff if padding == "valid" else eff % 2) + p
        out.append(o)
        before.append(0 if padding == "valid" else max((n - 1) * ss + eff - o, 0) // 2)
    big = [max(o + b, (n - 1) * ss + (kk - 1) * dd + 1) for o, b, n, ss, kk, dd in zip(out, before, sizes, s, k, d)]
    y = np.zeros((x.shape[0], *big, f))
    for tap in np.ndindex(*k):
        where = tuple(slice(t * dd, t * dd + ss * (n - 1) + 1, ss) for t, dd, ss, n in zip(tap, d, s, sizes))
        y[(slice(None),) + where] += x @ kernel[tap].T
    y = y[(slice(None),) + tuple(slice(b, b + o) for b, o in zip(before, out))]
    return y if bias is None else y + bias


ACT = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
       "softmax": lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(
           -1, keepdims=True)}


def reference(layer, x, weights):
    """The layer's output for channels_last or channels_first x, from the references above."""
    first = layer.data_format == "channels_first"
    if first:
        x = np.moveaxis(x, 1, -1)
    geo = dict(strides=layer.strides, padding=layer.padding, dilation_rate=layer.dilation_rate)
    if isinstance(layer, layers.Conv1DTranspose.__mro__[1]):  # BaseConvTranspose
        y = np_conv_transpose(x, weights[0], *weights[1:], output_padding=layer.output_padding, **geo)
    elif hasattr(layer, "pointwise_kernel"):
        y = np_separable(x, *weights, **geo)
    elif hasattr(layer, "depthwise_kernel"):
        y = np_depthwise(x, *weights, **geo)
    else:
        y = np_conv(x, *weights, **geo)
    y = ACT[keras.activations.serialize(layer.activation)](y)
    return np.moveaxis(y, -1, 1) if first else y


def expected_weights(layer, input_shape):
    """Keras's weight layouts, by family."""
    r = layer.rank
    c = input_shape[0] if layer.data_format == "channels_first" else input_shape[-1]
    k = layer.kernel_size
    if hasattr(layer, "pointwise_kernel") or "Separable" in type(layer).__name__:
        w = [("depthwise_kernel", k + (c, layer.depth_multiplier)),
             ("pointwise_kernel", (1,) * r + (c * layer.depth_multiplier, layer.filters))]
        return w + ([("bias", (layer.filters,))] if layer.use_bias else [])
    if "Depthwise" in type(layer).__name__:
        return [("depthwise_kernel", k + (c, layer.depth_multiplier))] + \
            ([("bias", (c * layer.depth_multiplier,))] if layer.use_bias else [])
    if "Transpose" in type(layer).__name__:
        return [("kernel", k + (layer.filters, c))] + ([("bias", (layer.filters,))] if layer.use_bias else [])
    return [("kernel", k + (c // layer.groups, layer.filters))] + \
        ([("bias", (layer.filters,))] if layer.use_bias else [])


# -- the cases -------------------------------------------------------------------------------
@dataclass
class Case:
    id: str
    cls: type
    kwargs: dict
    input_shape: tuple  # without the batch axis
    output_shape: tuple  # without the batch axis


CF = {"data_format": "channels_first"}
CASES = [
    Case("conv1d-valid", layers.Conv1D, dict(filters=3, kernel_size=3), (9, 2), (7, 3)),
    Case("conv1d-same-s2-odd", layers.Conv1D, dict(filters=2, kernel_size=4, strides=2, padding="same"), (9, 3),
         (5, 2)),
    Case("conv1d-causal-d2", layers.Conv1D, dict(filters=2, kernel_size=3, padding="causal", dilation_rate=2),
         (8, 2), (8, 2)),
    Case("conv1d-causal-s2", layers.Conv1D, dict(filters=2, kernel_size=2, padding="causal", strides=2), (7, 1),
         (4, 2)),
    Case("conv1d-groups-cf", layers.Conv1D, dict(filters=4, kernel_size=2, groups=2, **CF), (4, 7), (4, 6)),
    Case("conv2d-valid", layers.Conv2D, dict(filters=4, kernel_size=3), (7, 6, 3), (5, 4, 4)),
    Case("conv2d-same-s2-odd", layers.Conv2D, dict(filters=3, kernel_size=(3, 2), strides=(2, 1), padding="same"),
         (7, 6, 2), (4, 6, 3)),
    Case("conv2d-same-s2-even", layers.Conv2D, dict(filters=2, kernel_size=3, strides=2, padding="same"),
         (8, 8, 2), (4, 4, 2)),
    Case("conv2d-same-k4", layers.Conv2D, dict(filters=2, kernel_size=4, padding="same"), (5, 6, 1), (5, 6, 2)),
    Case("conv2d-dilation", layers.Conv2D, dict(filters=2, kernel_size=3, dilation_rate=(2, 1)), (9, 7, 2),
         (5, 5, 2)),
    Case("conv2d-s2-and-dilation", layers.Conv2D, dict(filters=2, kernel_size=2, strides=2, dilation_rate=2),
         (9, 8, 2), (4, 3, 2)),
    Case("conv2d-groups-relu", layers.Conv2D, dict(filters=6, kernel_size=3, groups=3, activation="relu"),
         (6, 6, 3), (4, 4, 6)),
    Case("conv2d-same-cf-tanh", layers.Conv2D, dict(filters=3, kernel_size=3, padding="same", activation="tanh",
                                                    **CF), (2, 5, 6), (3, 5, 6)),
    Case("conv2d-no-bias-softmax", layers.Conv2D, dict(filters=3, kernel_size=2, use_bias=False,
                                                       activation="softmax"), (5, 5, 2), (4, 4, 3)),
    Case("conv2d-groups-cf-s2", layers.Conv2D, dict(filters=4, kernel_size=3, groups=2, strides=2, **CF),
         (4, 7, 8), (4, 3, 3)),
    Case("conv3d-valid", layers.Conv3D, dict(filters=2, kernel_size=2), (4, 5, 3, 2), (3, 4, 2, 2)),
    Case("conv3d-same-s2-cf", layers.Conv3D, dict(filters=2, kernel_size=3, strides=2, padding="same", **CF),
         (2, 5, 4, 3), (2, 3, 2, 2)),
    Case("conv3d-groups-dilation", layers.Conv3D, dict(filters=2, kernel_size=2, groups=2,
                                                       dilation_rate=(1, 2, 1)), (3, 5, 3, 4), (2, 3, 2, 2)),
    Case("conv1dt-valid", layers.Conv1DTranspose, dict(filters=3, kernel_size=3), (5, 2), (7, 3)),
    Case("conv1dt-same-s2", layers.Conv1DTranspose, dict(filters=2, kernel_size=3, strides=2, padding="same"),
         (5, 3), (10, 2)),
    Case("conv1dt-valid-s3-k2", layers.Conv1DTranspose, dict(filters=2, kernel_size=2, strides=3), (4, 2),
         (12, 2)),
    Case("conv2dt-same-s2", layers.Conv2DTranspose, dict(filters=3, kernel_size=3, strides=2, padding="same"),
         (4, 3, 2), (8, 6, 3)),
    Case("conv2dt-same-s2-k4", layers.Conv2DTranspose, dict(filters=2, kernel_size=4, strides=2, padding="same"),
         (3, 3, 2), (6, 6, 2)),
    Case("conv2dt-valid-output-padding", layers.Conv2DTranspose,
         dict(filters=2, kernel_size=(3, 2), strides=(2, 3), output_padding=(1, 2)), (3, 3, 2), (8, 10, 2)),
    Case("conv2dt-same-op0-dilation", layers.Conv2DTranspose,
         dict(filters=2, kernel_size=3, strides=2, padding="same", output_padding=0, dilation_rate=2),
         (4, 4, 2), (7, 7, 2)),
    Case("conv2dt-same-op1", layers.Conv2DTranspose,
         dict(filters=2, kernel_size=2, strides=3, padding="same", output_padding=(1, 2)), (3, 2, 1), (7, 5, 2)),
    Case("conv2dt-cf-relu", layers.Conv2DTranspose, dict(filters=2, kernel_size=2, strides=2, activation="relu",
                                                         **CF), (3, 3, 3), (2, 6, 6)),
    Case("conv3dt-same-s2", layers.Conv3DTranspose, dict(filters=2, kernel_size=2, strides=2, padding="same"),
         (2, 3, 2, 2), (4, 6, 4, 2)),
    Case("conv3dt-valid-output-padding", layers.Conv3DTranspose,
         dict(filters=1, kernel_size=3, strides=(2, 1, 2), output_padding=(1, 0, 0)), (2, 2, 3, 1), (6, 4, 7, 1)),
    Case("dw1d-dm2", layers.DepthwiseConv1D, dict(kernel_size=3, depth_multiplier=2), (7, 3), (5, 6)),
    Case("dw1d-same-s2-cf", layers.DepthwiseConv1D, dict(kernel_size=2, strides=2, padding="same", **CF), (3, 7),
         (3, 4)),
    Case("dw2d", layers.DepthwiseConv2D, dict(kernel_size=3), (6, 5, 3), (4, 3, 3)),
    Case("dw2d-dm2-same-s2", layers.DepthwiseConv2D, dict(kernel_size=(3, 2), strides=2, padding="same",
                                                          depth_multiplier=2), (7, 6, 2), (4, 3, 4)),
    Case("dw2d-dilation-cf-dm3", layers.DepthwiseConv2D, dict(kernel_size=2, dilation_rate=2, depth_multiplier=3,
                                                              **CF), (2, 6, 6), (6, 4, 4)),
    Case("sep1d-dm2", layers.SeparableConv1D, dict(filters=4, kernel_size=3, depth_multiplier=2), (8, 3), (6, 4)),
    Case("sep1d-same-s2", layers.SeparableConv1D, dict(filters=3, kernel_size=3, strides=2, padding="same"),
         (9, 2), (5, 3)),
    Case("sep2d", layers.SeparableConv2D, dict(filters=3, kernel_size=3), (6, 6, 2), (4, 4, 3)),
    Case("sep2d-dm2-same-cf-relu", layers.SeparableConv2D, dict(filters=4, kernel_size=2, depth_multiplier=2,
                                                                padding="same", activation="relu", **CF),
         (3, 5, 5), (4, 5, 5)),
    Case("sep2d-dilation-no-bias", layers.SeparableConv2D, dict(filters=2, kernel_size=3, dilation_rate=2,
                                                                use_bias=False), (7, 7, 2), (3, 3, 2)),
]
IDS = [c.id for c in CASES]


def _data(case, batch=4):
    return RNG.standard_normal((batch, *case.input_shape)).astype(np.float32)


def _set_random_weights(layer):
    weights = [(RNG.standard_normal(w.shape) * 0.5).astype(np.float32) for w in layer.weights]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_output_shapes(case):
    layer = case.cls(**case.kwargs)
    assert tuple(layer.compute_output_shape((None, *case.input_shape))) == (None, *case.output_shape)
    out = layer(keras.Input(shape=case.input_shape))
    assert tuple(out.shape) == (None, *case.output_shape)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_weights_in_keras_layout(case):
    layer = case.cls(**case.kwargs)
    layer(keras.Input(shape=case.input_shape))
    want = expected_weights(layer, case.input_shape)
    assert [(w.name.split("/")[-1], tuple(w.shape)) for w in layer.weights] == want
    assert layer.count_params() == sum(int(np.prod(s)) for _, s in want)


def test_weight_shapes_spelled_out():
    """The layouts of keras-reference §1.4, written out once without the helper above."""
    shapes = {
        layers.Conv2D(4, 3, groups=1): [(3, 3, 6, 4), (4,)],
        layers.Conv2D(4, 3, groups=2): [(3, 3, 3, 4), (4,)],
        layers.Conv2DTranspose(4, 3): [(3, 3, 4, 6), (4,)],
        layers.DepthwiseConv2D(3, depth_multiplier=2): [(3, 3, 6, 2), (12,)],
        layers.SeparableConv2D(4, 3, depth_multiplier=2): [(3, 3, 6, 2), (1, 1, 12, 4), (4,)],
    }
    for layer, want in shapes.items():
        layer.build((None, 8, 8, 6))
        assert [tuple(w.shape) for w in layer.weights] == want, type(layer).__name__


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trip(case):
    layer = case.cls(**case.kwargs)
    config = layer.get_config()
    for key in ("filters", "padding", "data_format", "depth_multiplier", "groups"):
        if key in case.kwargs:
            assert config[key] == case.kwargs[key], key
    r = layer.rank
    assert config["kernel_size"] == _tuple(case.kwargs["kernel_size"], r)
    assert config["strides"] == _tuple(case.kwargs.get("strides", 1), r)
    clone = case.cls.from_config(config)
    assert type(clone) is case.cls and clone.get_config() == config


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eager_matches_numpy(case):
    layer = case.cls(**case.kwargs)
    x = _data(case)
    layer.build((None, *case.input_shape))
    weights = _set_random_weights(layer)
    y = layer(x)
    assert y.shape == (len(x), *case.output_shape)
    want = reference(layer, x.astype(np.float64), [w.astype(np.float64) for w in weights])
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sgd_step_follows_finite_differences(case):
    """One SGD step (lr 1) on mse moves each weight by minus d loss / d weight, where the loss
    and its derivatives come from the numpy reference in float64."""
    layer = case.cls(**case.kwargs)
    model = keras.Sequential([keras.Input(shape=case.input_shape), layer, layers.Flatten()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    weights = _set_random_weights(layer)
    x = _data(case)
    t = RNG.standard_normal((len(x), int(np.prod(case.output_shape)))).astype(np.float32)
    x64, t64 = x.astype(np.float64), t.astype(np.float64)

    def loss(ws):
        return float(np.mean((reference(layer, x64, ws).reshape(len(x), -1) - t64) ** 2))

    w64 = [w.astype(np.float64) for w in weights]
    got_loss = model.train_on_batch(x, t)
    np.testing.assert_allclose(got_loss, loss(w64), rtol=1e-5)
    for before, after, want, var in zip(weights, layer.get_weights(), central_differences(loss, w64),
                                        layer.weights):
        np.testing.assert_allclose(before - after, want, rtol=1e-3, atol=2e-5, err_msg=var.name)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_export_equals_predict(case, tmp_path):
    layer = case.cls(**case.kwargs)
    model = keras.Sequential([keras.Input(shape=case.input_shape), layer])
    _set_random_weights(layer)
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for n in (1, 5):
        x = RNG.standard_normal((n, *case.input_shape)).astype(np.float32)
        (got,) = session.run(None, {session.get_inputs()[0].name: x})
        np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
        assert got.shape == (n, *case.output_shape)


# -- graphs ----------------------------------------------------------------------------------
def _exported_ops(model, tmp_path):
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    return [n.op_type for n in onnx.load(path).graph.node]


def test_channels_last_stack_transposes_once_each_way(tmp_path):
    """Between channels_last conv layers the NHWC <-> NCHW transposes cancel; the elementwise
    activation sits right after its Conv (where onnxruntime fuses it); kernels are folded."""
    model = keras.Sequential([keras.Input(shape=(8, 8, 3)),
                              layers.Conv2D(4, 3, padding="same", activation="relu"),
                              layers.DepthwiseConv2D(3, padding="same", activation="relu"),
                              layers.Conv2DTranspose(2, 2, strides=2),
                              layers.SeparableConv2D(3, 3)])
    ops_used = _exported_ops(model, tmp_path)
    assert ops_used.count("Transpose") == 2
    assert ops_used[0] == "Transpose" and ops_used[-1] == "Transpose"
    assert ops_used[1:-1] == ["Conv", "Relu", "Conv", "Relu", "ConvTranspose", "Conv", "Conv"]


def test_softmax_activation_acts_on_the_channel_axis_of_channels_last():
    layer = layers.Conv2D(3, 1, activation="softmax")
    y = layer(RNG.standard_normal((2, 4, 4, 2)).astype(np.float32))
    np.testing.assert_allclose(y.sum(-1), 1.0, rtol=1e-5)


def test_a_small_cnn_learns():
    keras.config.set_random_seed(0)
    x = RNG.standard_normal((64, 8, 8, 1)).astype(np.float32)
    y = (x[:, 2:6, 2:6, 0].mean((1, 2)) > 0).astype(np.float32)[:, None]
    model = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, activation="relu"),
                              layers.SeparableConv2D(4, 3, strides=2, padding="same", activation="relu"),
                              layers.Flatten(), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0]


def test_aliases():
    assert layers.Convolution1D is layers.Conv1D and layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose is layers.Deconvolution2D is layers.Deconv2D
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D
    assert keras.layers.Conv2D is layers.Conv2D


def test_default_names():
    assert layers.Conv2D(1, 1).name.startswith("conv2d")
    assert layers.Conv2DTranspose(1, 1).name.startswith("conv2d_transpose")
    assert layers.SeparableConv1D(1, 1).name.startswith("separable_conv1d")
    assert layers.DepthwiseConv2D(1).name.startswith("depthwise_conv2d")


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, input_shape, match", [
    (lambda: layers.Conv2D(2, 5, name="big"), (4, 4, 3),
     r"'big'.*kernel \(5 with dilation 1, spanning 5\) is larger than the input \(4\).*\(None, 4, 4, 3\)"),
    (lambda: layers.Conv1D(2, 3, dilation_rate=3, name="dil"), (6, 1), r"'dil'.*spanning 7.*\(None, 6, 1\)"),
    (lambda: layers.DepthwiseConv2D(3, name="dw"), (2, 5, 1), r"'dw'.*larger than the input \(2\)"),
    (lambda: layers.SeparableConv1D(2, 4, name="sep"), (3, 2), r"'sep'.*larger than the input \(3\)"),
    (lambda: layers.Conv2D(2, 3, data_format="channels_first", name="cf"), (3, 2, 8),
     r"'cf'.*larger than the input \(2\).*\(None, 3, 2, 8\)"),
], ids=["conv2d", "conv1d-dilated", "depthwise", "separable", "channels-first"])
def test_kernel_larger_than_input_with_valid_padding(make, input_shape, match):
    with pytest.raises(ValueError, match=match):
        make()(keras.Input(shape=input_shape))


def test_same_padding_takes_a_kernel_larger_than_the_input():
    layer = layers.Conv2D(2, 5, padding="same")
    assert layer(RNG.standard_normal((1, 3, 3, 1)).astype(np.float32)).shape == (1, 3, 3, 2)


@pytest.mark.parametrize("make, match", [
    (lambda: layers.Conv2D(0, 3), r"Conv2D: `filters` must be a positive integer, got filters=0"),
    (lambda: layers.Conv2D(-2, 3), r"filters=-2"),
    (lambda: layers.Conv2D(2, (3, 0)), r"Conv2D: every entry of `kernel_size` must be > 0, got kernel_size=\(3, 0\)"),
    (lambda: layers.Conv1D(2, 3, strides=-1), r"Conv1D: every entry of `strides` must be > 0"),
    (lambda: layers.Conv3D(2, 3, dilation_rate=0), r"`dilation_rate` must be > 0"),
    (lambda: layers.Conv2D(2, (3, 3, 3)), r"`kernel_size` must be an integer or a tuple of 2 integers"),
    (lambda: layers.Conv2D(3, 3, groups=2), r"`filters` must be divisible by `groups`, got filters=3, groups=2"),
    (lambda: layers.Conv2D(2, 3, padding="causal"), r"Conv2D: `padding` must be one of 'valid', 'same'"),
    (lambda: layers.Conv2D(2, 3, padding="full"), r"got 'full'"),
    (lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2), r"`strides` must be greater than "
                                                                         r"`output_padding`"),
    (lambda: layers.Conv1DTranspose(2, 3, output_padding=-1), r"`output_padding` must be >= 0"),
    (lambda: layers.Conv1DTranspose(2, 3, padding="causal"), r"'valid', 'same'"),
    (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), r"`depth_multiplier` must be a positive integer"),
    (lambda: layers.SeparableConv2D(2, 3, data_format="NHWC"), r"data_format"),
], ids=["zero-filters", "negative-filters", "zero-kernel", "negative-stride", "zero-dilation",
        "kernel-rank", "filters-groups", "causal-2d", "unknown-padding", "output-padding-vs-stride",
        "negative-output-padding", "transpose-causal", "zero-depth-multiplier", "data-format"])
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_input_of_the_wrong_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"layer 'c2'.*expected ndim=4, found ndim=3.*\(None, 8, 3\)"):
        layers.Conv2D(2, 3, name="c2")(keras.Input(shape=(8, 3)))
    with pytest.raises(ValueError, match=r"layer 'c1t'.*expected ndim=3, found ndim=4"):
        layers.Conv1DTranspose(2, 3, name="c1t")(keras.Input(shape=(8, 8, 3)))


def test_groups_must_divide_the_input_channels():
    with pytest.raises(ValueError, match=r"'g'.*3 input channels to be divisible by groups=2.*\(None, 6, 6, 3\)"):
        layers.Conv2D(4, 3, groups=2, name="g")(keras.Input(shape=(6, 6, 3)))


def test_channels_must_match_after_build():
    layer = layers.Conv2D(2, 3, name="fixed")
    layer(keras.Input(shape=(6, 6, 3)))
    with pytest.raises(ValueError, match=r"'fixed' expected the last axis of its input to be 3.*\(None, 6, 6, 4\)"):
        layer(keras.Input(shape=(6, 6, 4)))


def test_unknown_channels_are_refused():
    with pytest.raises(ValueError, match=r"channel axis .* known"):
        layers.Conv1D(2, 3).build((None, 8, None))


# -- Keras's own files and configs -------------------------------------------------------------
FIXTURES = os.path.join(os.path.dirname(__file__), "..", "data", "keras")  # saved by real Keras


def test_conv2d_layers_reproduce_tf_keras_predictions():
    """k2_cnn (saved by tf.keras 2.15): its two Conv2D layers (same/relu, then strides 2 valid)
    run by horn with the saved weights, the rest of the model in numpy, give Keras's outputs."""
    h5py = pytest.importorskip("h5py")
    data = np.load(os.path.join(FIXTURES, "k2_cnn.npz"))
    with h5py.File(os.path.join(FIXTURES, "k2_cnn.h5"), "r") as f:
        w = {k: np.array(f["model_weights"][k]) for k in (
            "conv2d/conv2d/kernel:0", "conv2d/conv2d/bias:0", "conv2d_1/conv2d_1/kernel:0", "conv2d_1/conv2d_1/bias:0",
            "dense_3/dense_3/kernel:0", "dense_3/dense_3/bias:0")}
        bn = {k: np.array(f["model_weights"]["batch_normalization/batch_normalization"][k + ":0"])
              for k in ("gamma", "beta", "moving_mean", "moving_variance")}
    first, second = layers.Conv2D(8, 3, padding="same", activation="relu"), layers.Conv2D(16, 3, strides=2)
    first.build((None, 16, 16, 3))
    first.set_weights([w["conv2d/conv2d/kernel:0"], w["conv2d/conv2d/bias:0"]])
    second.build((None, 8, 8, 8))
    second.set_weights([w["conv2d_1/conv2d_1/kernel:0"], w["conv2d_1/conv2d_1/bias:0"]])
    h = first(data["x0"])
    h = (h - bn["moving_mean"]) / np.sqrt(bn["moving_variance"] + 1e-3) * bn["gamma"] + bn["beta"]
    h = h.reshape(len(h), 8, 2, 8, 2, 8).max((2, 4)).astype(np.float32)  # MaxPooling2D(2)
    h = second(h)
    h = np.where(h > 0, h, np.expm1(h)).mean((1, 2))  # elu, GlobalAveragePooling2D
    z = h @ w["dense_3/dense_3/kernel:0"] + w["dense_3/dense_3/bias:0"]
    p = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(p / p.sum(1, keepdims=True), data["y0"], atol=1e-5)


def test_tf_keras_configs_with_inherited_keys_load():
    """tf.keras writes 'groups': 1 into transposed and depthwise configs, and kernel_* keys into
    separable ones (inherited from its Conv); horn accepts them, and refuses other groups."""
    t = layers.Conv2DTranspose.from_config({**layers.Conv2DTranspose(4, 3).get_config(), "groups": 1})
    d = layers.DepthwiseConv2D.from_config({**layers.DepthwiseConv2D(3).get_config(), "groups": 1})
    s = layers.SeparableConv2D.from_config({**layers.SeparableConv2D(4, 3).get_config(), "groups": 1,
                                            "kernel_initializer": {"class_name": "GlorotUniform", "config": {}},
                                            "kernel_regularizer": None, "kernel_constraint": None})
    assert (t.filters, d.depth_multiplier, s.filters) == (4, 1, 4)
    with pytest.raises(ValueError, match=r"DepthwiseConv2D does not take `groups`, got groups=2"):
        layers.DepthwiseConv2D(3, groups=2)


@pytest.mark.parametrize("make, kernel_name", [
    (lambda **kw: layers.Conv2D(3, 2, kernel_initializer="ones", bias_initializer="ones", kernel_regularizer="l2",
                                kernel_constraint=lambda w: keras.ops.clip(w, -0.1, 0.1), **kw), "kernel"),
    (lambda **kw: layers.Conv2DTranspose(3, 2, kernel_initializer="ones", bias_initializer="ones",
                                         kernel_regularizer="l2",
                                         kernel_constraint=lambda w: keras.ops.clip(w, -0.1, 0.1), **kw), "kernel"),
    (lambda **kw: layers.DepthwiseConv2D(2, depthwise_initializer="ones", bias_initializer="ones",
                                         depthwise_regularizer="l2",
                                         depthwise_constraint=lambda w: keras.ops.clip(w, -0.1, 0.1), **kw),
     "depthwise_kernel"),
    (lambda **kw: layers.SeparableConv2D(3, 2, depthwise_initializer="ones", bias_initializer="ones",
                                         depthwise_regularizer="l2",
                                         depthwise_constraint=lambda w: keras.ops.clip(w, -0.1, 0.1), **kw),
     "depthwise_kernel"),
], ids=["conv2d", "conv2d-transpose", "depthwise", "separable"])
def test_initializers_regularizers_constraints(make, kernel_name):
    layer = make()
    model = keras.Sequential([keras.Input(shape=(4, 4, 2)), layer, layers.Flatten()])
    kernel = next(w for w in layer.weights if w.name.endswith(kernel_name))
    bias = next(w for w in layer.weights if w.name.endswith("bias"))
    np.testing.assert_array_equal(kernel.numpy(), 1.0)
    np.testing.assert_array_equal(bias.numpy(), 1.0)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-4), loss="mse")
    x = RNG.standard_normal((4, 4, 4, 2)).astype(np.float32)
    t = np.zeros((4, int(np.prod(model.output_shape[1:]))), np.float32)
    data_loss = float(np.mean(model.predict(x, verbose=0) ** 2))
    loss = model.train_on_batch(x, t)
    np.testing.assert_allclose(loss, data_loss + 0.01 * kernel.numpy().size, rtol=1e-4)  # l2: 0.01 * sum(1^2)
    assert np.abs(kernel.numpy()).max() <= 0.1 + 1e-7  # the constraint clipped the updated kernel
