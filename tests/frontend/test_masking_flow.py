"""Masks flow as in Keras: from Embedding(mask_zero=True) or Masking, through RNNs, TimeDistributed
and Bidirectional, into the loss. Padded steps change neither the loss nor its gradient, and a
padded sequence predicts what the same sequence unpadded does."""

import numpy as np
import pytest

import horn as keras
from horn import layers

# Every test runs with recurrences unrolled (as chosen for these short sequences) and looped.
pytestmark = pytest.mark.usefixtures("recurrence_lowering")

RNG = np.random.default_rng(5)
VOCAB, DIM, UNITS = 12, 4, 5


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_sequence(x, mask, kernel, recurrent, bias):
    """Keras's LSTM over (B, T, F) with a (B, T) mask: masked steps carry state and output."""
    units = recurrent.shape[0]
    h = c = np.zeros((x.shape[0], units))
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, g, o = np.split(z, 4, axis=-1)
        new_c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        new_h = sigmoid(o) * np.tanh(new_c)
        keep = mask[:, t:t + 1]
        h, c = np.where(keep, new_h, h), np.where(keep, new_c, c)
        outputs.append(h)  # the output of a masked step is the carried one
    return np.stack(outputs, axis=1)


def _ids(batch, length, pad="post"):
    """Random ids with 1..length-1 real tokens and zero padding before or after them."""
    ids = np.zeros((batch, length), np.int32)
    for row in ids:
        n = RNG.integers(1, length)
        tokens = RNG.integers(1, VOCAB, n)
        if pad == "post":
            row[:n] = tokens
        else:
            row[length - n:] = tokens
    return ids


def _seq2seq(length):
    inp = keras.Input((length,), dtype="int32")
    emb = layers.Embedding(VOCAB, DIM, mask_zero=True)
    lstm = layers.LSTM(UNITS, return_sequences=True)
    head = layers.TimeDistributed(layers.Dense(1))
    model = keras.Model(inp, head(lstm(emb(inp))))
    return model, emb, lstm, head


def test_loss_counts_only_unpadded_steps():
    model, emb, lstm, head = _seq2seq(6)
    model.compile(optimizer="sgd", loss="mse")
    ids = _ids(4, 6)
    y = RNG.standard_normal((4, 6, 1)).astype(np.float32)
    mask = ids != 0
    table = emb.get_weights()[0].astype(np.float64)
    hidden = lstm_sequence(table[ids], mask, *[w.astype(np.float64) for w in lstm.get_weights()])
    kernel, bias = head.get_weights()
    pred = hidden @ kernel + bias
    np.testing.assert_allclose(model.predict(ids, verbose=0), pred, rtol=1e-4, atol=1e-5)
    per_step = ((pred - y) ** 2).mean(axis=-1)
    want = (per_step * mask).sum() / mask.sum()  # Keras 3: the mean over the unmasked steps
    np.testing.assert_allclose(model.evaluate(ids, y, verbose=0), want, rtol=1e-5)
    y_junk = np.where(mask[..., None], y, 1e3).astype(np.float32)  # targets at padded steps: ignored
    np.testing.assert_allclose(model.evaluate(ids, y_junk, verbose=0), want, rtol=1e-5)


def test_training_step_ignores_padded_targets():
    ids = _ids(4, 5)
    y = RNG.standard_normal((4, 5, 1)).astype(np.float32)
    y_junk = np.where((ids != 0)[..., None], y, -50.0).astype(np.float32)
    updated, start = [], None
    for targets in (y, y_junk):
        model, *_ = _seq2seq(5)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
        start = start or model.get_weights()
        model.set_weights(start)
        before = model.get_weights()
        model.train_on_batch(ids, targets)
        updated.append([a - b for a, b in zip(model.get_weights(), before)])
    assert max(np.abs(d).max() for d in updated[0]) > 1e-4  # the step did move the weights
    for a, b in zip(*updated):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


RECURRENT = {
    "lstm": lambda: layers.LSTM(UNITS),
    "gru": lambda: layers.GRU(UNITS),
    "simple_rnn": lambda: layers.SimpleRNN(UNITS),
    "bidirectional-lstm": lambda: layers.Bidirectional(layers.LSTM(UNITS)),
    "bidirectional-gru-sum": lambda: layers.Bidirectional(layers.GRU(UNITS), merge_mode="sum"),
}


@pytest.mark.parametrize("pad", ["pre", "post"])
@pytest.mark.parametrize("name", RECURRENT)
def test_padded_predictions_equal_unpadded(name, pad):
    """The same layers on length 7 (padded) and on the bare tokens agree, in predict and after a
    training step (training programs unroll the recurrence, predict may fuse it)."""
    recurrent = RECURRENT[name]()
    emb = layers.Embedding(VOCAB, DIM, mask_zero=True)
    dense = layers.Dense(1, activation="sigmoid")
    tokens = np.array([[5, 3, 7]], np.int32)
    padded = np.zeros((1, 7), np.int32)
    if pad == "post":
        padded[0, :3] = tokens
    else:
        padded[0, 4:] = tokens
    models = []
    for length in (7, 3):
        inp = keras.Input((length,), dtype="int32")
        models.append(keras.Model(inp, dense(recurrent(emb(inp)))))
    long_model, short_model = models
    np.testing.assert_allclose(long_model.predict(padded, verbose=0), short_model.predict(tokens, verbose=0),
                               rtol=1e-5, atol=1e-6)
    long_model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="binary_crossentropy")
    long_model.train_on_batch(np.repeat(padded, 2, 0), np.array([[1.0], [1.0]], np.float32))
    np.testing.assert_allclose(long_model.predict(padded, verbose=0), short_model.predict(tokens, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_masking_layer_feeds_rnn_and_loss():
    """Masking(-1) -> LSTM(return_sequences) -> TimeDistributed(Dense): steps of all -1 are
    skipped by the LSTM and left out of the loss."""
    x = RNG.standard_normal((3, 6, 2)).astype(np.float32)
    x[0, 4:] = -1.0
    x[1, :2] = -1.0
    inp = keras.Input((6, 2))
    lstm = layers.LSTM(UNITS, return_sequences=True)
    head = layers.TimeDistributed(layers.Dense(2))
    model = keras.Model(inp, head(lstm(layers.Masking(mask_value=-1.0)(inp))))
    model.compile(optimizer="sgd", loss="mae")
    mask = np.any(x != -1.0, axis=-1)
    hidden = lstm_sequence(x * mask[..., None], mask, *[w.astype(np.float64) for w in lstm.get_weights()])
    kernel, bias = head.get_weights()
    pred = hidden @ kernel + bias
    y = RNG.standard_normal((3, 6, 2)).astype(np.float32)
    want = (np.abs(pred - y).mean(axis=-1) * mask).sum() / mask.sum()
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), want, rtol=1e-5)


def test_masks_of_wrappers():
    ids = np.array([[3, 0, 2], [0, 0, 1]], np.int32)
    mask = ids != 0
    td = layers.TimeDistributed(layers.Dense(2))
    assert td.compute_mask(None, mask) is mask
    bi = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode=None)
    assert bi.compute_mask(None, mask) == [mask, mask]
    bi_state = layers.Bidirectional(layers.LSTM(3, return_state=True))
    bi_state.build((None, 3, 2))
    assert bi_state.compute_mask(keras.Input((3, 2)), mask) == [None] * 5
    assert layers.Bidirectional(layers.LSTM(3)).compute_mask(None, mask) is None


def test_masked_bidirectional_model_exports_what_it_predicts(tmp_path):
    """Embedding(mask_zero) -> Bidirectional(GRU, sequences) -> TimeDistributed(Dense): the ONNX
    file passes the full checker and, run on its own, gives predict()'s outputs (int32 ids in)."""
    import onnx

    from horn.runtime.standalone import load

    inp = keras.Input((6,), dtype="int32")
    x = layers.Embedding(VOCAB, DIM, mask_zero=True)(inp)
    x = layers.Bidirectional(layers.GRU(UNITS, return_sequences=True))(x)
    model = keras.Model(inp, layers.TimeDistributed(layers.Dense(2))(x))
    ids = _ids(5, 6, pad="pre")
    path = str(tmp_path / "masked.onnx")
    model.export(path, verbose=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    exported = load(path)
    assert exported.inputs[0].type == "tensor(int32)"
    np.testing.assert_allclose(exported.predict(ids), model.predict(ids, verbose=0), rtol=1e-6, atol=1e-6)


def test_dense_after_a_masked_sequence_keeps_the_mask_for_the_loss():
    model = keras.Sequential([keras.Input((4,), dtype="int32"), keras.layers.Embedding(10, 3, mask_zero=True),
                              keras.layers.LSTM(5, return_sequences=True), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    ids = np.array([[1, 2, 0, 0]], np.int32)
    clean = model.evaluate(ids, np.zeros((1, 4, 1), np.float32), verbose=0)
    padded_targets = np.array([[[0], [0], [100], [100]]], np.float32)  # only padded steps differ
    assert model.evaluate(ids, padded_targets, verbose=0) == pytest.approx(clean)


# -- merge layers: Keras 3's mask rules --------------------------------------------------------
def _two_masked(merge, length=6):
    """Two Embedding(mask_zero=True) branches merged, into an LSTM (sequences)."""
    a, b = keras.Input((length,), dtype="int32"), keras.Input((length,), dtype="int32")
    ea, eb = layers.Embedding(VOCAB, DIM, mask_zero=True), layers.Embedding(VOCAB, DIM, mask_zero=True)
    lstm = layers.LSTM(UNITS, return_sequences=True)
    return keras.Model([a, b], lstm(merge([ea(a), eb(b)]))), ea, eb, lstm


@pytest.mark.parametrize("merge", [layers.Add, layers.Multiply, layers.Average, layers.Maximum, layers.Minimum])
def test_elementwise_merge_keeps_a_step_any_input_keeps(merge):
    model, ea, eb, lstm = _two_masked(merge())
    ids_a, ids_b = _ids(3, 6, "post"), _ids(3, 6, "pre")
    xa, xb = ea.get_weights()[0][ids_a], eb.get_weights()[0][ids_b]
    ka, kb = (ids_a > 0)[..., None], (ids_b > 0)[..., None]
    # Keras 3.15: Add and Average merge every value; Multiply and Maximum pass over the masked
    # steps of an input (a masked factor is 1; a masked candidate is the other's value).
    x = {layers.Add: xa + xb, layers.Average: (xa + xb) / 2,
         layers.Multiply: np.where(ka, xa, 1) * np.where(kb, xb, 1) * (ka | kb),
         layers.Maximum: np.maximum(np.where(ka, xa, xb), np.where(kb, xb, xa)),
         layers.Minimum: np.minimum(np.where(ka, xa, xb), np.where(kb, xb, xa))}[merge]
    want = lstm_sequence(x, (ids_a > 0) | (ids_b > 0), *lstm.get_weights())
    np.testing.assert_allclose(model.predict([ids_a, ids_b], verbose=0), want, rtol=1e-5, atol=1e-5)


def test_merge_mask_rules_on_arrays():
    m1, m2 = np.array([[True, True, False, False]]), np.array([[True, False, True, False]])
    x = np.zeros((1, 4, 3), np.float32)
    np.testing.assert_array_equal(layers.Add().compute_mask([x, x], [m1, m2]), m1 | m2)
    assert layers.Add().compute_mask([x, x], [m1, None]) is None  # an unmasked input drops it
    assert layers.Add().compute_mask([x, x], [None, None]) is None
    # Concatenate: features joined -> the masks ORed (an unmasked input keeps every step);
    # timesteps joined -> the masks joined.
    cat = layers.Concatenate()
    np.testing.assert_array_equal(cat.compute_mask([x, x], [m1, m2]), m1 | m2)
    np.testing.assert_array_equal(cat.compute_mask([x, x], [m1, None]), np.ones((1, 4), bool))
    np.testing.assert_array_equal(layers.Concatenate(axis=1).compute_mask([x, x[:, :2]], [m1, None]),
                                  np.array([[True, True, False, False, True, True]]))
    assert layers.Dot(axes=2).compute_mask([x, x], [m1, m2]) is None


def test_concatenate_along_time_masks_the_padded_steps_of_each_part():
    """Masking on one part only, a dynamic batch: the concatenated mask feeds the LSTM."""
    a, b = keras.Input((4, 3)), keras.Input((5, 3))
    lstm = layers.LSTM(UNITS, return_sequences=True)
    model = keras.Model([a, b], lstm(layers.Concatenate(axis=1)([layers.Masking(0.0)(a), b])))
    xa, xb = RNG.random((2, 4, 3)).astype(np.float32), RNG.random((2, 5, 3)).astype(np.float32)
    xa[0, 2:] = 0
    mask = np.concatenate([np.any(xa != 0, axis=-1), np.ones((2, 5), bool)], axis=1)
    want = lstm_sequence(np.concatenate([xa, xb], axis=1), mask, *lstm.get_weights())
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), want, rtol=1e-5, atol=1e-5)
