"""BatchNormalization against numpy transcriptions of Keras 3's formulas: batch statistics while
training, moving statistics (updated inside the training step) at inference, its gradients,
masks, trainable=False, both data formats and the predict program's folded form."""

import numpy as np
import onnx
import pytest
from gradcheck import central_differences

import horn as keras
from horn.frontend import programs

BN = keras.layers.BatchNormalization


def data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 2.0 + 0.7).astype(np.float32)


def bn_ref(x, axis, mean=None, var=None, gamma=None, beta=None, eps=1e-3):
    """Keras's formula in float64; the batch's biased moments when mean/var are None."""
    x = x.astype(np.float64)
    axis %= x.ndim
    axes = tuple(i for i in range(x.ndim) if i != axis)
    along = [1] * x.ndim
    along[axis] = -1
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    c = x.shape[axis]
    gamma = np.ones(c) if gamma is None else gamma
    beta = np.zeros(c) if beta is None else beta
    s = (gamma / np.sqrt(var + eps)).reshape(along)
    return (x - mean.reshape(along)) * s + beta.reshape(along), mean, var


def random_weights(c, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 1.5, c).astype(np.float32), rng.uniform(-0.5, 0.5, c).astype(np.float32),
            rng.uniform(-1, 1, c).astype(np.float32), rng.uniform(0.5, 2, c).astype(np.float32)]


# shape, axis: 2-D after Dense, 3-D sequences, 4-D and 5-D images in both data formats, an inner axis.
SHAPES = [
    ((6, 5), -1), ((4, 7, 3), -1), ((4, 3, 7), 1), ((3, 5, 4, 2), -1), ((3, 2, 5, 4), 1),
    ((2, 3, 4, 5, 2), -1), ((2, 2, 3, 4, 5), 1), ((3, 4, 5, 2), 2),
]
IDS = [f"{len(s)}d-axis{a}" for s, a in SHAPES]


@pytest.mark.parametrize("shape, axis", SHAPES, ids=IDS)
def test_layer_harness(shape, axis):
    layer = BN(axis=axis, name="bn")
    model = keras.Sequential([keras.Input(shape[1:]), layer])
    assert layer.output_shape == (None,) + shape[1:]
    assert model.predict(data(shape), verbose=0).shape == shape
    c = shape[axis]
    assert [w.name for w in layer.weights] == ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
    assert [w.shape for w in layer.weights] == [(c,)] * 4
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2
    config = layer.get_config()
    again = BN.from_config(config)
    assert again.get_config() == config
    assert (config["axis"], config["momentum"], config["epsilon"]) == (axis, 0.99, 1e-3)


@pytest.mark.parametrize("shape, axis", SHAPES, ids=IDS)
def test_training_uses_batch_statistics(shape, axis):
    x = data(shape)
    layer = BN(axis=axis, epsilon=1e-2)
    layer.build(shape)
    weights = random_weights(shape[axis])
    layer.set_weights(weights)
    want, _, _ = bn_ref(x, axis, gamma=weights[0], beta=weights[1], eps=1e-2)
    np.testing.assert_allclose(layer(x, training=True), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape, axis", SHAPES, ids=IDS)
def test_inference_uses_moving_statistics(shape, axis):
    x = data(shape)
    layer = BN(axis=axis)
    layer.build(shape)
    g, b, m, v = random_weights(shape[axis])
    layer.set_weights([g, b, m, v])
    want, _, _ = bn_ref(x, axis, m.astype(np.float64), v.astype(np.float64), g, b)
    np.testing.assert_allclose(layer(x), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(layer(x, training=False), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape, axis", SHAPES[:6], ids=IDS[:6])
def test_fit_updates_moving_statistics_and_predict_uses_them(shape, axis):
    """One step: moving = moving * momentum + batch * (1 - momentum), with the biased variance."""
    x, y = data(shape, 0), data(shape, 1)
    layer = BN(axis=axis, momentum=0.9)
    model = keras.Sequential([keras.Input(shape[1:]), layer])
    weights = random_weights(shape[axis])
    model.set_weights(weights)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    model.train_on_batch(x, y)
    _, mean, var = bn_ref(x, axis)
    g, b, m, v = model.get_weights()
    np.testing.assert_allclose(m, weights[2] * 0.9 + mean * 0.1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(v, weights[3] * 0.9 + var * 0.1, rtol=1e-5, atol=1e-6)
    # Keras 2's unbiased variance would give a different value: the check above can tell them apart.
    n = x.size // shape[axis]
    assert np.abs(weights[3] * 0.9 + var * n / (n - 1) * 0.1 - v).max() > 1e-4
    want, _, _ = bn_ref(x, axis, m.astype(np.float64), v.astype(np.float64), g, b)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape, axis", [((8, 4), -1), ((4, 3, 3, 2), -1), ((4, 2, 3, 3), 1)],
                         ids=["dense", "nhwc", "nchw"])
def test_gradients_through_batch_statistics(shape, axis):
    """Dense -> BN -> mse, one SGD step: the kernel's step goes through the batch mean and
    variance (finite differences of the float64 forward); gamma's and beta's too."""
    x = data(shape[:-1] + (3,), 2)
    c = shape[axis]
    y = data(shape, 3)
    kernel = np.random.default_rng(4).standard_normal((3, shape[-1])).astype(np.float32)
    g0, b0 = random_weights(c)[:2]
    dense = keras.layers.Dense(shape[-1], use_bias=False)
    model = keras.Sequential([keras.Input(x.shape[1:]), dense, BN(axis=axis)])
    model.set_weights([kernel, g0, b0, np.zeros(c, np.float32), np.ones(c, np.float32)])
    lr = 0.5
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")

    def loss(params):
        k, g, b = params
        out, _, _ = bn_ref(x.astype(np.float64) @ k, axis, gamma=g, beta=b)
        return np.mean((out - y) ** 2)

    start = [kernel.astype(np.float64), g0.astype(np.float64), b0.astype(np.float64)]
    grads = central_differences(loss, start)
    reported = model.train_on_batch(x, y)
    np.testing.assert_allclose(reported, loss(start), rtol=1e-5)
    for name, got, p, g in zip(("kernel", "gamma", "beta"), model.get_weights()[:3], start, grads):
        assert np.abs(g).max() > 1e-3
        np.testing.assert_allclose(got - p, -lr * g, rtol=2e-3, atol=2e-5, err_msg=name)


def test_center_and_scale_off():
    x = data((6, 4))
    layer = BN(center=False, scale=False, epsilon=1e-2)
    model = keras.Sequential([keras.Input((4,)), layer])
    assert [w.name.split("/")[-1] for w in layer.weights] == ["moving_mean", "moving_variance"]
    np.testing.assert_allclose(layer(x, training=True), bn_ref(x, -1, eps=1e-2)[0], rtol=1e-4, atol=1e-4)
    only_scale = BN(center=False)
    keras.Sequential([keras.Input((4,)), only_scale])
    assert [w.name.split("/")[-1] for w in only_scale.weights] == ["gamma", "moving_mean", "moving_variance"]
    assert model.count_params() == 8


def test_initializers_and_regularizers():
    layer = BN(gamma_initializer="zeros", beta_initializer="ones", moving_mean_initializer="ones",
               moving_variance_initializer=keras.initializers.Constant(4.0), gamma_regularizer="l2")
    model = keras.Sequential([keras.Input((3,)), layer])
    g, b, m, v = model.get_weights()
    assert (g == 0).all() and (b == 1).all() and (m == 1).all() and (v == 4).all()
    assert BN.from_config(layer.get_config()).get_config()["gamma_regularizer"] == {
        "class_name": "L2", "config": {"l2": 0.01}}
    # The penalty 0.01 * sum(gamma^2) is part of the training loss.
    layer.set_weights([np.full(3, 2.0, np.float32), np.zeros(3, np.float32), np.zeros(3, np.float32),
                       np.ones(3, np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss="mse")
    x = data((5, 3))
    plain = np.mean((bn_ref(x, -1, gamma=np.full(3, 2.0))[0]) ** 2)
    np.testing.assert_allclose(model.train_on_batch(x, np.zeros_like(x)), plain + 0.01 * 12, rtol=1e-5)


def test_constraints_apply_after_the_step():
    clip = lambda w: keras.ops.minimum(w, 1.05)  # noqa: E731
    layer = BN(gamma_constraint=clip)
    model = keras.Sequential([keras.Input((3,)), layer])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    x = data((8, 3))
    model.train_on_batch(x, 3 * x)  # pushes gamma up past the bound
    assert np.allclose(model.get_weights()[0], 1.05)


def test_trainable_false_freezes_and_runs_in_inference_mode():
    """Keras 3: a frozen BN normalizes with its moving statistics even in fit, and neither its
    weights nor its moving statistics change."""
    x, y = data((6, 3), 0), data((6, 3), 1)
    layer = BN()
    model = keras.Sequential([keras.Input((3,)), layer])
    weights = random_weights(3)
    model.set_weights(weights)
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
    loss = model.train_on_batch(x, y)
    g, b, m, v = (w.astype(np.float64) for w in weights)
    inference, _, _ = bn_ref(x, -1, m, v, g, b)
    np.testing.assert_allclose(loss, np.mean((inference - y) ** 2), rtol=1e-5)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_mask_excludes_steps_from_batch_statistics():
    """Keras 3's masked moments: weights from the (batch, time) mask, divided by count + 1e-7."""
    x = data((3, 5, 2))
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    layer = BN(epsilon=1e-2)
    layer.build(x.shape)
    out = layer(x, training=True, mask=mask)
    w = mask[..., None].astype(np.float64)
    count = w.sum(axis=(0, 1)) + 1e-7
    mean = (w * x).sum(axis=(0, 1)) / count
    var = (w * (w * x - mean) ** 2).sum(axis=(0, 1)) / count
    want = (x - mean) / np.sqrt(var + 1e-2)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)
    unmasked = layer(x, training=True)
    assert np.abs(unmasked - want).max() > 1e-2  # the mask changed the statistics
    with pytest.raises(ValueError, match="one axis less"):
        layer(x, training=True, mask=mask[..., None])


def test_channels_last_matches_channels_first():
    x = data((3, 4, 5, 6))
    last = BN(axis=-1)
    first = BN(axis=1)
    last.build(x.shape)
    first.build((3, 6, 4, 5))
    weights = random_weights(6)
    last.set_weights(weights)
    first.set_weights(weights)
    nchw = np.transpose(x, (0, 3, 1, 2))
    for training in (True, False):
        np.testing.assert_allclose(np.transpose(first(nchw, training=training), (0, 2, 3, 1)),
                                   last(x, training=training), rtol=1e-5, atol=1e-5)


def test_dense_then_bn_predict_program_is_one_gemm():
    """Inference folds to per-channel constants, which fold into the Dense's Gemm."""
    x = data((7, 5))
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4), BN()])
    model.layers[1].set_weights(random_weights(4))
    graph = programs.predict_graph(model, [((None, 5), np.float32)])
    onnx_model = programs.compile_graph(graph)
    onnx.checker.check_model(onnx_model, full_check=True)
    assert [n.op_type for n in onnx_model.graph.node] == ["Gemm"]
    k, b = model.layers[0].get_weights()
    g, beta, m, v = (w.astype(np.float64) for w in model.layers[1].get_weights())
    want, _, _ = bn_ref(x.astype(np.float64) @ k + b, -1, m, v, g, beta)
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs, error", [
    ({"axis": 1.5}, TypeError), ({"momentum": 1.5}, ValueError), ({"epsilon": 0.0}, ValueError),
    ({"renorm": True}, NotImplementedError), ({"virtual_batch_size": 2}, NotImplementedError),
    ({"axis": [1, 2]}, NotImplementedError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        BN(**kwargs)


def test_keras2_arguments():
    layer = BN(axis=[3], fused=True, renorm=False, name="bn_k2")  # as tf.keras saves its config
    assert layer.axis == 3
    keras.Sequential([keras.Input((2, 2, 5)), layer])
    assert layer.weights[0].shape == (5,)


def test_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match="bn_rank"):
        keras.Sequential([keras.Input((3,)), BN(axis=2, name="bn_rank")])
    layer = BN(name="bn_c")
    keras.Sequential([keras.Input((4,)), layer])
    with pytest.raises(ValueError, match="bn_c"):
        layer(np.zeros((2, 5), np.float32))


def test_an_eager_training_call_updates_the_moving_statistics():
    """As in Keras, bn(x, training=True) on numpy moves the moving mean and variance."""
    bn = keras.layers.BatchNormalization(momentum=0.5)
    x = np.random.default_rng(0).normal(3.0, 2.0, (64, 4)).astype(np.float32)
    bn(x, training=True)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.5 + 0.5 * x.var(axis=0), rtol=1e-4)
    bn(x)  # inference: no update
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.5 * x.mean(axis=0), rtol=1e-5)
