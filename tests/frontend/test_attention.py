"""Attention, AdditiveAttention and MultiHeadAttention: numpy references (scores, outputs,
masks, causal), gradients against finite differences, unknown lengths, export, Keras 3 files,
configs and errors."""

import os

import numpy as np
import onnxruntime as ort
import pytest
from gradcheck import central_differences

import horn as keras
from horn import layers

RNG = np.random.default_rng(5)
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "keras3_attention")


# -- numpy references ---------------------------------------------------------------------------
def softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attention(q, v, k=None, q_mask=None, v_mask=None, causal=False, scale=None, concat=None, additive=None):
    """Keras's dense attention: masked keys lose 1e9 from their score; masked queries output 0."""
    k = v if k is None else k
    if additive is not None:
        scores = (additive * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    elif concat is not None:
        scores = concat * np.tanh((scale or 1.0) * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    else:
        scores = q @ k.transpose(0, 2, 1) * (1.0 if scale is None else scale)
    keep = np.ones(scores.shape, bool)
    if v_mask is not None:
        keep &= v_mask[:, None, :]
    if causal:
        keep &= np.tril(np.ones(scores.shape[1:], bool))[None]
    scores = np.where(keep, scores, scores - 1e9)
    w = softmax(scores)
    out = w @ v
    if q_mask is not None:
        out = np.where(q_mask[:, :, None], out, 0.0)
    return out, w


def np_mha(layer, q, v, k=None, mask=None, zero_masked_rows=True):
    """Keras's MultiHeadAttention with the layer's weights: per-head scaled dot products, a
    softmax over the keys (masked entries -1e9, then 0), the heads projected back."""
    k = v if k is None else k
    w = [x.astype(np.float64) for x in layer.get_weights()]
    wq, bq, wk, bk, wv, bv, wo, bo = w if len(w) == 8 else (w[0], 0, w[1], 0, w[2], 0, w[3], 0)
    qh = np.einsum("btd,dnh->bnth", q, wq) + np.transpose(np.broadcast_to(bq, (1, 1) + wq.shape[1:]), (0, 2, 1, 3))
    kh = np.einsum("bsd,dnh->bnsh", k, wk) + np.transpose(np.broadcast_to(bk, (1, 1) + wk.shape[1:]), (0, 2, 1, 3))
    vh = np.einsum("bsd,dnh->bnsh", v, wv) + np.transpose(np.broadcast_to(bv, (1, 1) + wv.shape[1:]), (0, 2, 1, 3))
    scores = qh @ kh.transpose(0, 1, 3, 2) / np.sqrt(wq.shape[-1])
    if mask is not None:
        scores = np.where(mask[:, None], scores, -1e9)
    p = softmax(scores)
    if mask is not None and zero_masked_rows:
        p = np.where(mask[:, None], p, 0.0)
    out = np.einsum("bnts,bnsh->btnh", p, vh)
    return np.einsum("btnh,nho->bto", out, wo) + bo, p


def _f(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# -- Attention / AdditiveAttention ---------------------------------------------------------------
@pytest.mark.parametrize("kwargs, key", [({}, False), ({"use_scale": True}, True),
                                         ({"score_mode": "concat", "use_scale": True}, False),
                                         ({"score_mode": "concat"}, True)],
                         ids=["dot", "dot-scale-key", "concat-scale", "concat-key"])
@pytest.mark.parametrize("causal", [False, True], ids=["full", "causal"])
def test_attention_matches_numpy(kwargs, key, causal):
    q, v, k = _f(2, 4, 3), _f(2, 5, 3), _f(2, 5, 3)
    layer = layers.Attention(**kwargs)
    inputs = [q, v, k] if key else [q, v]
    out, w = layer(inputs, return_attention_scores=True, use_causal_mask=causal)
    weights = [np.float32(1.7)] * len(layer.weights)  # scale and concat_score_weight
    layer.set_weights(weights)
    out, w = layer(inputs, return_attention_scores=True, use_causal_mask=causal)
    scale = 1.7 if kwargs.get("use_scale") else None
    concat = 1.7 if kwargs.get("score_mode") == "concat" else None
    want_out, want_w = np_attention(q.astype(np.float64), v.astype(np.float64), k.astype(np.float64) if key else None,
                                    causal=causal, scale=scale, concat=concat)
    np.testing.assert_allclose(w, want_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, want_out, rtol=1e-5, atol=1e-5)


def test_additive_attention_matches_numpy():
    q, v = _f(2, 4, 3), _f(2, 5, 3)
    layer = layers.AdditiveAttention()
    layer([q, v])
    scale = _f(3)
    layer.set_weights([scale])
    out, w = layer([q, v], return_attention_scores=True)
    want_out, want_w = np_attention(q.astype(np.float64), v.astype(np.float64), additive=scale.astype(np.float64))
    np.testing.assert_allclose(w, want_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, want_out, rtol=1e-5, atol=1e-5)
    assert [w.shape for w in layers.AdditiveAttention(use_scale=False).weights] == []


TOKENS_Q = np.array([[3, 1, 4, 0, 0], [2, 7, 1, 8, 2]], "int32")
TOKENS_V = np.array([[1, 2, 0, 0], [9, 9, 9, 0]], "int32")


@pytest.mark.parametrize("cls", ["Attention", "AdditiveAttention"])
def test_dense_attention_masks_from_embeddings(cls):
    """The Embedding masks reach the layer as [query_mask, value_mask]; the output keeps the
    query's mask (a masked GlobalAveragePooling1D after it averages the unmasked steps only)."""
    a, b = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    eq, ev = layers.Embedding(10, 3, mask_zero=True), layers.Embedding(10, 3, mask_zero=True)
    att = getattr(layers, cls)()
    out, w = att([eq(a), ev(b)], return_attention_scores=True, use_causal_mask=True)
    model = keras.Model([a, b], [out, w, layers.GlobalAveragePooling1D()(out)])
    got_out, got_w, pooled = model.predict([TOKENS_Q, TOKENS_V], verbose=0)
    q, v = eq.get_weights()[0][TOKENS_Q].astype(np.float64), ev.get_weights()[0][TOKENS_V].astype(np.float64)
    extra = {"additive": att.get_weights()[0].astype(np.float64)} if cls == "AdditiveAttention" else {}
    want_out, want_w = np_attention(q, v, q_mask=TOKENS_Q > 0, v_mask=TOKENS_V > 0, causal=True, **extra)
    np.testing.assert_allclose(got_w, want_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-5, atol=1e-5)
    keep = (TOKENS_Q > 0)[:, :, None]
    np.testing.assert_allclose(pooled, (want_out * keep).sum(1) / keep.sum(1), rtol=1e-5, atol=1e-6)


# -- MultiHeadAttention -----------------------------------------------------------------------------
def test_mha_weights_are_keras_layout():
    mha = layers.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=5, output_shape=(2, 7), name="mha")
    mha(_f(1, 2, 6), _f(1, 3, 8), _f(1, 3, 9))
    assert [(w.name, w.shape) for w in mha.weights] == [
        ("mha/query/kernel", (6, 3, 4)), ("mha/query/bias", (3, 4)), ("mha/key/kernel", (9, 3, 4)),
        ("mha/key/bias", (3, 4)), ("mha/value/kernel", (8, 3, 5)), ("mha/value/bias", (3, 5)),
        ("mha/attention_output/kernel", (3, 5, 2, 7)), ("mha/attention_output/bias", (2, 7))]
    no_bias = layers.MultiHeadAttention(2, 3, use_bias=False)
    no_bias(_f(1, 2, 4), _f(1, 2, 4))
    assert [w.shape for w in no_bias.weights] == [(4, 2, 3)] * 3 + [(2, 3, 4)]


@pytest.mark.parametrize("kwargs", [{}, {"value_dim": 5}, {"use_bias": False}], ids=["plain", "value_dim", "no_bias"])
@pytest.mark.parametrize("cross", [False, True], ids=["self", "cross"])
def test_mha_matches_numpy(kwargs, cross):
    q = _f(2, 3, 6)
    v, k = (_f(2, 5, 4), _f(2, 5, 7)) if cross else (q, None)
    mha = layers.MultiHeadAttention(2, 3, **kwargs)
    mha(q, v, k)
    mha.set_weights([0.5 * _f(*w.shape) for w in mha.weights])
    out, scores = mha(q, v, k, return_attention_scores=True)
    k64 = None if k is None else k.astype(np.float64)
    want_out, want_p = np_mha(mha, q.astype(np.float64), v.astype(np.float64), k64)
    assert scores.shape == (2, 2, 3, v.shape[1])
    np.testing.assert_allclose(scores, want_p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, want_out, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("scores", [True, False], ids=["explicit", "fused"])
def test_mha_masks_attention_mask_and_causal(scores):
    """Embedding masks, attention_mask and the causal mask are and-ed; a query row with no key
    left gets zero scores on Keras's explicit path and uniform ones on its fused path."""
    a, b = keras.Input((None,), dtype="int32"), keras.Input((None,), dtype="int32")
    m = keras.Input((5, 4))
    eq, ev = layers.Embedding(10, 6, mask_zero=True), layers.Embedding(10, 6, mask_zero=True)
    mha = layers.MultiHeadAttention(2, 3)
    out = mha(eq(a), ev(b), attention_mask=m, use_causal_mask=True, return_attention_scores=True)
    model = keras.Model([a, b, m], list(out))
    mha.set_weights([0.5 * _f(*w.shape) for w in mha.weights])
    amask = (RNG.random((2, 5, 4)) > 0.3).astype(np.float32)
    got_out, got_p = model.predict([TOKENS_Q, TOKENS_V, amask], verbose=0)
    mask = amask.astype(bool) & (TOKENS_Q > 0)[:, :, None] & (TOKENS_V > 0)[:, None, :] & np.tril(np.ones((5, 4), bool))
    q, v = eq.get_weights()[0][TOKENS_Q].astype(np.float64), ev.get_weights()[0][TOKENS_V].astype(np.float64)
    want_out, want_p = np_mha(mha, q, v, mask=mask)
    np.testing.assert_allclose(got_p, want_p, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_out, want_out, rtol=1e-4, atol=1e-5)
    if not scores:  # the fused path: a fully masked row is uniform over the keys
        fused = keras.Model([a, b, m], mha(eq(a), ev(b), attention_mask=m, use_causal_mask=True))
        want_fused, _ = np_mha(mha, q, v, mask=mask, zero_masked_rows=False)
        np.testing.assert_allclose(fused.predict([TOKENS_Q, TOKENS_V, amask], verbose=0), want_fused,
                                   rtol=1e-4, atol=1e-5)
        assert not np.allclose(want_fused, want_out)  # the case tells the two paths apart


def test_mha_output_keeps_query_mask_and_unknown_lengths():
    a = keras.Input((None,), dtype="int32")
    e = layers.Embedding(10, 6, mask_zero=True)(a)
    mha = layers.MultiHeadAttention(2, 3)
    model = keras.Model(a, layers.GlobalAveragePooling1D()(mha(e, e, use_causal_mask=True)))
    emb = model.layers[1].get_weights()[0]
    for tokens in (TOKENS_Q, np.array([[4, 4, 0], [1, 2, 3]], "int32"), np.array([[5, 6, 7, 8, 9, 1, 0]], "int32")):
        x = emb[tokens].astype(np.float64)
        keep = tokens > 0
        mask = keep[:, :, None] & keep[:, None, :] & np.tril(np.ones((tokens.shape[1],) * 2, bool))
        out, _ = np_mha(mha, x, x, mask=mask, zero_masked_rows=False)
        want = (out * keep[:, :, None]).sum(1) / keep.sum(1, keepdims=True)
        np.testing.assert_allclose(model.predict(tokens, verbose=0), want, rtol=1e-4, atol=1e-5)


def test_mha_explicit_query_mask_is_ignored_as_in_keras():
    q, v = _f(2, 3, 4), _f(2, 5, 4)
    mha = layers.MultiHeadAttention(2, 3)
    plain = mha(q, v)
    np.testing.assert_array_equal(mha(q, v, query_mask=np.array([[1, 0, 0], [1, 1, 0]], bool)), plain)
    value_masked = mha(q, v, value_mask=np.array([[1, 1, 0, 0, 0]] * 2, bool))
    assert not np.allclose(value_masked, plain)


def test_mha_dropout_only_in_training():
    x = _f(4, 6, 4)
    mha = layers.MultiHeadAttention(2, 2, dropout=0.5, seed=3)
    inference = mha(x, x, return_attention_scores=True)
    np.testing.assert_array_equal(mha(x, x, training=False), inference[0])
    trained = mha(x, x, training=True)
    assert not np.allclose(trained, inference[0])
    # the returned scores are the probabilities before dropout, rows summing to one
    np.testing.assert_allclose(mha(x, x, return_attention_scores=True, training=True)[1].sum(-1), 1.0, rtol=1e-5)


# -- gradients --------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: layers.MultiHeadAttention(2, 2, value_dim=3),
                                  lambda: layers.Attention(use_scale=True),
                                  lambda: layers.AdditiveAttention()], ids=["mha", "attention", "additive"])
def test_sgd_step_follows_finite_differences(make):
    """Dense -> attention (self, causal) -> Flatten, mse, SGD(1): the Dense weights move by minus
    the float64 finite-difference gradient of the numpy loss."""
    x_in = keras.Input((3, 2))
    dense, att = layers.Dense(4), make()
    h = dense(x_in)
    is_mha = isinstance(att, layers.MultiHeadAttention)
    out = att(h, h, use_causal_mask=True) if is_mha else att([h, h], use_causal_mask=True)
    model = keras.Model(x_in, layers.Flatten()(out))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    weights = [0.7 * _f(*w.shape) for w in dense.weights]
    dense.set_weights(weights)
    att.set_weights([0.7 * _f(*w.shape) for w in att.weights])
    x, t = _f(2, 3, 2), _f(2, 12)
    causal = np.tril(np.ones((3, 3), bool))[None]

    def loss(ws):
        h = x.astype(np.float64) @ ws[0] + ws[1]
        if is_mha:
            y, _ = np_mha(att, h, h, mask=np.broadcast_to(causal, (2, 3, 3)), zero_masked_rows=False)
        elif isinstance(att, layers.AdditiveAttention):
            y, _ = np_attention(h, h, causal=True, additive=att.get_weights()[0].astype(np.float64))
        else:
            y, _ = np_attention(h, h, causal=True, scale=float(att.get_weights()[0]))
        return float(np.mean((y.reshape(2, -1) - t) ** 2))

    w64 = [w.astype(np.float64) for w in weights]
    want_loss, want_grads = loss(w64), central_differences(loss, w64)  # before the step moves att's weights
    np.testing.assert_allclose(model.train_on_batch(x, t), want_loss, rtol=1e-5)
    for before, after, want in zip(weights, dense.get_weights(), want_grads):
        np.testing.assert_allclose(before - after, want, rtol=1e-3, atol=2e-5)


# -- export ----------------------------------------------------------------------------------------
def test_export_equals_predict_with_unknown_lengths(tmp_path):
    a = keras.Input((None,), dtype="int32")
    e = layers.Embedding(10, 6, mask_zero=True)(a)
    x = layers.LayerNormalization()(layers.Add()([e, layers.MultiHeadAttention(2, 3)(e, e, use_causal_mask=True)]))
    att = layers.Attention()([x, e])
    model = keras.Model(a, layers.Dense(2)(layers.GlobalAveragePooling1D()(att)))
    path = str(tmp_path / "m.onnx")
    model.export(path, verbose=False)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    for tokens in (TOKENS_Q, np.array([[1, 2, 3, 4, 5, 6, 7, 0]], "int32")):
        (got,) = session.run(None, {session.get_inputs()[0].name: tokens})
        np.testing.assert_allclose(got, model.predict(tokens, verbose=0), rtol=1e-5, atol=1e-6)


# -- Keras 3 files --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def expected():
    return np.load(os.path.join(DATA, "expected.npz"))


@pytest.mark.parametrize("name", ["transformer.keras", "transformer.h5"])
def test_keras_saved_transformer_predicts_as_keras(name, expected):
    model = keras.models.load_model(os.path.join(DATA, name), compile=False)
    mha = model.get_layer("mha")
    assert [w.name for w in mha.weights][::2] == ["mha/query/kernel", "mha/key/kernel", "mha/value/kernel",
                                                  "mha/attention_output/kernel"]
    np.testing.assert_allclose(model.predict(expected["transformer_x0"], verbose=0), expected["transformer_y"],
                               rtol=1e-5, atol=1e-6)


def test_keras_saved_dense_attention_predicts_as_keras(expected):
    model = keras.models.load_model(os.path.join(DATA, "dense_attention.keras"), compile=False)
    got = model.predict([expected["dense_attention_x0"], expected["dense_attention_x1"]], verbose=0)
    np.testing.assert_allclose(got, expected["dense_attention_y"], rtol=1e-5, atol=1e-6)


def test_keras_sgd_step_on_saved_transformer(expected):
    model = keras.models.load_model(os.path.join(DATA, "transformer.keras"), compile=False)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    loss = model.train_on_batch(expected["transformer_x0"], expected["step_y"])
    np.testing.assert_allclose(loss, expected["step_loss"], rtol=1e-5)
    for i, (w, got) in enumerate(zip(model.weights, model.get_weights())):
        np.testing.assert_allclose(got, expected[f"step_w{i}"], rtol=1e-4, atol=1e-6, err_msg=w.name)


def test_embedding_step_on_saved_transformer(expected):
    """The table's step reads the projections' kernels through Reshape views: they must not be
    updated in place before (compiler/inplace.py)."""
    model = keras.models.load_model(os.path.join(DATA, "transformer.keras"), compile=False)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.train_on_batch(expected["transformer_x0"], expected["step_y"])
    np.testing.assert_allclose(model.get_weights()[0], expected["step_w0"], rtol=1e-4, atol=1e-6)


# -- configs and errors -------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", [
    layers.Attention(use_scale=True, score_mode="concat", dropout=0.1, seed=4),
    layers.AdditiveAttention(use_scale=False, dropout=0.2),
    layers.MultiHeadAttention(3, 4, value_dim=2, dropout=0.1, use_bias=False, output_shape=5, seed=1,
                              kernel_regularizer="l2"),
], ids=["attention", "additive", "mha"])
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    if isinstance(layer, layers.MultiHeadAttention):
        assert config["output_shape"] == (5,) and config["value_dim"] == 2 and config["num_heads"] == 3
        x = _f(1, 2, 6)
        clone(x, x)
        assert clone.get_config()["attention_axes"] == (1,)
        assert [w.shape for w in clone.weights] == [(6, 3, 4), (6, 3, 4), (6, 3, 2), (3, 2, 5)]


def test_errors_name_the_layer_and_what_was_expected():
    with pytest.raises(ValueError, match=r"Layer 'att'.*Attention.*same last axis.*\(None, 4, 3\).*\(None, 5, 6\)"):
        layers.Attention(name="att")([_f(2, 4, 3), _f(2, 5, 6)])
    with pytest.raises(ValueError, match=r"Layer 'att'.*must be called on a list of inputs"):
        layers.Attention(name="att")(_f(2, 4, 3))
    with pytest.raises(ValueError, match=r"score_mode.*'dot', 'concat'.*'sum'"):
        layers.Attention(score_mode="sum")
    with pytest.raises(ValueError, match=r"MultiHeadAttention\(num_heads=...\) expected a positive.*num_heads=0"):
        layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match=r"key_dim=...\) expected a positive integer.*key_dim=-1"):
        layers.MultiHeadAttention(2, -1)
    with pytest.raises(NotImplementedError, match=r"Layer 'm'.*attention_axes=\(2,\)"):
        layers.MultiHeadAttention(2, 4, attention_axes=2, name="m")(_f(1, 3, 4), _f(1, 3, 4))
    with pytest.raises(NotImplementedError, match=r"Layer 'm4'.*\(batch, steps, dim\).*\(1, 2, 3, 4\)"):
        layers.MultiHeadAttention(2, 4, name="m4")(_f(1, 2, 3, 4), _f(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r"Layer 'kv'.*value and key to agree.*\(1, 3, 4\).*\(1, 5, 4\)"):
        layers.MultiHeadAttention(2, 4, name="kv")(_f(1, 2, 4), _f(1, 3, 4), _f(1, 5, 4))
