"""SpatialDropout1D/2D/3D: whole channels dropped while training (one draw per sample and
channel, kept channels scaled by 1 / (1 - rate)), the identity at inference and in exports."""

import numpy as np
import onnx
import pytest

import horn as keras
from horn import layers

CASES = [  # (class, kwargs, input shape without batch, channel axis of the full shape)
    (layers.SpatialDropout1D, dict(rate=0.4), (6, 16), 2),
    (layers.SpatialDropout2D, dict(rate=0.3), (4, 5, 16), 3),
    (layers.SpatialDropout2D, dict(rate=0.5, data_format="channels_first"), (16, 4, 3), 1),
    (layers.SpatialDropout3D, dict(rate=0.25), (3, 2, 4, 16), 4),
    (layers.SpatialDropout3D, dict(rate=0.6, data_format="channels_first"), (16, 2, 3, 2), 1),
]
IDS = [f"{c.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for c, kw, _, _ in CASES]


@pytest.mark.parametrize("cls, kwargs, shape, channel", CASES, ids=IDS)
def test_training_drops_whole_channels(cls, kwargs, shape, channel):
    layer = cls(**kwargs)
    rate = kwargs["rate"]
    x = np.random.default_rng(0).uniform(1, 2, (64, *shape)).astype(np.float32)
    y = layer(x, training=True)
    ratio = y / x
    scale = 1 / (1 - rate)
    assert np.all(np.isclose(ratio, 0) | np.isclose(ratio, scale, rtol=1e-6))
    # One decision per (sample, channel): the ratio is constant over every spatial axis.
    spatial = tuple(a for a in range(1, x.ndim) if a != channel)
    kept = ~np.isclose(ratio, 0)
    np.testing.assert_array_equal(kept.min(axis=spatial), kept.max(axis=spatial))
    dropped = 1 - kept.max(axis=spatial).mean()
    assert abs(dropped - rate) < 0.08, dropped  # 1024 draws
    assert not np.array_equal(layer(x, training=True), y)  # a new mask each call


@pytest.mark.parametrize("cls, kwargs, shape, channel", CASES, ids=IDS)
def test_inference_is_the_identity_and_export_has_no_dropout(cls, kwargs, shape, channel, tmp_path):
    layer = cls(**kwargs)
    x = np.random.default_rng(1).standard_normal((3, *shape)).astype(np.float32)
    np.testing.assert_array_equal(layer(x), x)
    model = keras.Sequential([keras.Input(shape=shape), layer])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    assert not {"Dropout", "RandomUniformLike"} & {n.op_type for n in onnx.load(path).graph.node}


@pytest.mark.parametrize("cls, kwargs, shape, channel", CASES, ids=IDS)
def test_config_round_trip_and_shapes(cls, kwargs, shape, channel):
    layer = cls(**kwargs, seed=3)
    config = layer.get_config()
    assert config["rate"] == kwargs["rate"] and config["seed"] == 3
    if cls is layers.SpatialDropout1D:
        assert "data_format" not in config
    else:
        assert config["data_format"] == kwargs.get("data_format", "channels_last")
    clone = cls.from_config(config)
    assert type(clone) is cls and clone.get_config() == config
    assert tuple(layer(keras.Input(shape=shape)).shape) == (None, *shape)


def test_gradient_flows_through_the_kept_channels_only():
    """d loss / d input of one training step, read off a trainable offset before the layer:
    dropped channels get none; kept ones get the upstream gradient times 1 / (1 - rate)."""

    class Offset(layers.Layer):
        def build(self, input_shape):
            self.offset = self.add_weight(name="offset", shape=tuple(input_shape[1:]), initializer="zeros")

        def call(self, inputs):
            return keras.ops.add(inputs, self.offset)

    keras.config.set_random_seed(5)
    offset, rate = Offset(), 0.5
    model = keras.Sequential([keras.Input(shape=(3, 3, 8)), offset, layers.SpatialDropout2D(rate),
                              layers.Flatten()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    x = np.ones((1, 3, 3, 8), np.float32)
    t = np.zeros((1, 72), np.float32)
    model.train_on_batch(x, t)
    grad = -offset.get_weights()[0]  # d loss / d input
    kept = grad[0, 0] != 0  # per channel
    assert 0 < kept.sum() < 8
    # y = (x + 0) * 2 on kept channels: d mean((2x)^2) / dx = 2 * 2x * 2 / 72.
    np.testing.assert_allclose(grad[..., kept], 8 / 72, rtol=1e-6)
    np.testing.assert_array_equal(grad[..., ~kept], 0)
    np.testing.assert_array_equal(grad, np.broadcast_to(grad[0, 0], grad.shape))  # same per position


def test_seeded_masks_repeat_across_sessions():
    def masks():
        keras.config.set_random_seed(9)
        layer = layers.SpatialDropout1D(0.5)
        x = np.ones((8, 4, 6), np.float32)
        return [layer(x, training=True) for _ in range(2)]

    a, b = masks(), masks()
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("make, error, match", [
    (lambda: layers.SpatialDropout2D(1.0), ValueError, r"SpatialDropout2D\(rate=...\) must be in \[0, 1\)"),
    (lambda: layers.SpatialDropout1D(-0.1), ValueError, r"must be in \[0, 1\)"),
    (lambda: layers.SpatialDropout3D("0.5"), TypeError, "must be a number"),
    (lambda: layers.SpatialDropout2D(0.5, data_format="NCHW"), ValueError, "data_format must be"),
    (lambda: layers.SpatialDropout2D(0.5, noise_shape=(1, 1, 1, 3)), ValueError, "sets its own noise shape"),
])
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_input_of_the_wrong_rank_names_the_layer():
    with pytest.raises(ValueError, match=r"layer 'sd'.*expected ndim=4, found ndim=3"):
        layers.SpatialDropout2D(0.2, name="sd")(keras.Input(shape=(4, 4)))


def test_uniform_like_draws_per_step_in_a_training_graph():
    """ops.uniform_like (RandomUniformLike) shaped like a tensor with a dynamic batch axis."""

    class Noise(layers.Layer):
        def call(self, inputs, training=False):
            return keras.ops.add(inputs, keras.ops.uniform_like(inputs, -0.5, 0.5)) if training else inputs

    model = keras.Sequential([keras.Input(shape=(3,)), Noise()])
    x = np.zeros((4000, 3), np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    layer = model.layers[-1]
    a, b = layer(x, training=True), layer(x, training=True)
    assert a.shape == x.shape and -0.5 <= a.min() and a.max() < 0.5
    assert abs(a.mean()) < 0.02 and abs(a.var() - 1 / 12) < 0.01
    assert not np.array_equal(a, b)
