"""fit/evaluate/predict on generators, iterators, Sequence and PyDataset (and Keras 2's *_generator).

The same batches through the array path and through a source must give identical weights and logs:
both run the same compiled training program. Expected values from real Keras 3.15.1 (jax) for a
generator, a PyDataset and generator validation are checked in the review notes; here the array
path is the reference.
"""

import warnings

import numpy as np
import pytest

import horn as keras
from horn.frontend.utils import progbar as progbar_module

BATCH, N = 8, 32
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, 4)).astype("float32")
Y = RNG.normal(size=(N, 2)).astype("float32")
LABELS = (np.arange(N) % 3).astype("int64")


def make(outputs=2, loss="mse", built=True):
    layers = [keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(outputs)]
    model = keras.Sequential(([keras.Input((4,))] if built else []) + layers)
    if built:
        r = np.random.default_rng(1)
        model.set_weights([r.normal(size=w.shape).astype("float32") * 0.5 for w in model.get_weights()])
    model.compile(keras.optimizers.SGD(0.1), loss, metrics=["mae"] if loss == "mse" else ["accuracy"])
    return model


def weights(model):
    return np.concatenate([w.ravel() for w in model.get_weights()])


def batches(x=X, y=Y, loops=None, extra=()):
    """The rows in order, BATCH at a time, `loops` times (forever if None)."""
    k = 0
    while loops is None or k < loops:
        for s in range(0, len(x), BATCH):
            yield (x[s:s + BATCH], y[s:s + BATCH]) + tuple(e[s:s + BATCH] for e in extra)
        k += 1


class Batches(keras.utils.PyDataset):
    def __init__(self, x=X, y=Y, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y, self.read, self.ends = x, y, [], 0

    def __len__(self):
        return len(self.x) // BATCH

    def __getitem__(self, i):
        self.read.append(i)
        return self.x[i * BATCH:(i + 1) * BATCH], self.y[i * BATCH:(i + 1) * BATCH]

    def on_epoch_end(self):
        self.ends += 1


class OldBatches(keras.utils.Sequence):  # Keras 2 style: no super().__init__(), lists as batches
    def __len__(self):
        return N // BATCH

    def __getitem__(self, i):
        return [X[i * BATCH:(i + 1) * BATCH], Y[i * BATCH:(i + 1) * BATCH]]


def fit_arrays(epochs=2, **kwargs):
    model = make()
    history = model.fit(X, Y, batch_size=BATCH, epochs=epochs, shuffle=False, verbose=0, **kwargs)
    return model, history.history


SOURCES = {
    "generator": lambda: dict(x=batches(), steps_per_epoch=N // BATCH),
    "iterator": lambda: dict(x=iter(list(batches(loops=2))), steps_per_epoch=N // BATCH),
    "PyDataset": lambda: dict(x=Batches(), shuffle=False),
    "Sequence": lambda: dict(x=OldBatches(), shuffle=False),
}


@pytest.mark.parametrize("kind", list(SOURCES))
def test_source_trains_exactly_like_arrays(kind):
    ref_model, ref = fit_arrays()
    model = make()
    history = model.fit(epochs=2, verbose=0, **SOURCES[kind]()).history
    np.testing.assert_array_equal(weights(model), weights(ref_model))
    assert history.keys() == ref.keys() == {"loss", "mae"}
    np.testing.assert_array_equal(history["loss"], ref["loss"])
    np.testing.assert_array_equal(history["mae"], ref["mae"])
    assert int(model.optimizer.iterations) == 8


def test_keras_values_for_a_generator():
    """History and weights from real Keras 3.15.1 (jax) for this model, fit(gen, steps_per_epoch=4, epochs=2)."""
    model = make()
    history = model.fit(batches(), steps_per_epoch=4, epochs=2, verbose=0).history
    np.testing.assert_allclose(history["loss"], [1.1832787990570068, 1.0696402788162231], rtol=1e-6)
    np.testing.assert_allclose(history["mae"], [0.8478738069534302, 0.8092377185821533], rtol=1e-6)


def test_steps_per_epoch_goes_on_where_the_last_epoch_stopped():
    ref_model, _ = fit_arrays(epochs=1)  # 4 steps over batches 0..3
    model = make()
    history = model.fit(batches(), steps_per_epoch=2, epochs=2, verbose=0).history
    assert len(history["loss"]) == 2 and int(model.optimizer.iterations) == 4
    np.testing.assert_array_equal(weights(model), weights(ref_model))


def test_a_finite_generator_ends_the_epoch():
    ref_model, ref = fit_arrays(epochs=1)
    model = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one pass to its end is a whole epoch, not a warning
        history = model.fit(batches(loops=1), epochs=1, verbose=0).history
    np.testing.assert_array_equal(history["loss"], ref["loss"])
    np.testing.assert_array_equal(weights(model), weights(ref_model))


def test_an_ended_generator_stops_training_with_a_warning():
    model = make()
    with pytest.warns(UserWarning, match="ran out of data.*had already ended when epoch 2 began"):
        history = model.fit(batches(loops=1), epochs=3, verbose=0).history
    assert len(history["loss"]) == 1 and int(model.optimizer.iterations) == 4


def test_a_generator_shorter_than_steps_per_epoch_warns_and_stops():
    ref_model, ref = fit_arrays(epochs=1)
    model = make()
    with pytest.warns(UserWarning, match="ran out of data.*gave 4 of the 6 batches expected in epoch 1"):
        history = model.fit(batches(loops=1), steps_per_epoch=6, epochs=3, verbose=0).history
    assert len(history["loss"]) == 1  # the partial epoch is kept, then training stops
    np.testing.assert_array_equal(history["loss"], ref["loss"])
    np.testing.assert_array_equal(weights(model), weights(ref_model))


def test_a_sequence_shorter_than_steps_per_epoch_restarts_next_epoch():
    data = Batches()
    model = make()
    with pytest.warns(UserWarning, match="gave 4 of the 6 batches"):
        history = model.fit(data, steps_per_epoch=6, epochs=2, shuffle=False, verbose=0).history
    assert len(history["loss"]) == 2 and int(model.optimizer.iterations) == 8
    assert data.read == [0, 1, 2, 3] * 2


def test_sequence_shuffle_reorders_batches_each_epoch():
    keras.utils.set_random_seed(3)
    data = Batches()
    make().fit(data, epochs=3, verbose=0)  # shuffle=True by default
    epochs = [data.read[i:i + 4] for i in range(0, 12, 4)]
    assert len(data.read) == 12 and all(sorted(e) == [0, 1, 2, 3] for e in epochs)
    assert any(e != [0, 1, 2, 3] for e in epochs) and len({tuple(e) for e in epochs}) > 1
    assert data.ends == 3

    data = Batches()
    make().fit(data, epochs=2, shuffle=False, verbose=0)
    assert data.read == [0, 1, 2, 3] * 2 and data.ends == 2


def test_pydataset_keeps_keras3_arguments_and_num_batches():
    data = Batches(workers=4, use_multiprocessing=True, max_queue_size=3)
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (4, True, 3)
    assert data.num_batches == 4
    assert OldBatches().num_batches == 4 and OldBatches().workers == 1
    assert [len(b[0]) for b in OldBatches()] == [8, 8, 8, 8]


def test_validation_from_a_generator_and_a_pydataset():
    xv, yv = X[:16], Y[:16]
    ref = make().fit(batches(), steps_per_epoch=4, epochs=2, verbose=0, validation_data=(xv, yv)).history
    for val in (batches(xv, yv), Batches(xv, yv)):
        history = make().fit(batches(), steps_per_epoch=4, epochs=2, verbose=0, validation_data=val,
                             validation_steps=2).history
        assert sorted(history) == ["loss", "mae", "val_loss", "val_mae"]
        np.testing.assert_allclose(history["val_loss"], ref["val_loss"], rtol=1e-6)
        np.testing.assert_allclose(history["val_mae"], ref["val_mae"], rtol=1e-6)


def test_validation_generator_goes_on_between_epochs():
    """Keras 3.15.1 (jax) values: validation_steps=3 of an endless generator reads batches 0-2, then 3, 0, 1."""
    history = make().fit(batches(), steps_per_epoch=4, epochs=2, verbose=0, validation_data=batches(),
                         validation_steps=3).history
    np.testing.assert_allclose(history["val_loss"], [0.9978764653205872, 0.9942615032196045], rtol=1e-6)


def test_class_weight_and_sample_weight_from_batches():
    y = keras.utils.to_categorical(LABELS, 3)
    sw = np.linspace(0.5, 2, N).astype("float32")
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    ref = make(3, "categorical_crossentropy")
    ref_h = ref.fit(X, y, batch_size=BATCH, shuffle=False, epochs=2, verbose=0, class_weight=cw,
                    sample_weight=sw).history
    model = make(3, "categorical_crossentropy")
    h = model.fit(batches(X, y, extra=(sw,)), steps_per_epoch=4, epochs=2, verbose=0, class_weight=cw).history
    np.testing.assert_array_equal(weights(model), weights(ref))
    np.testing.assert_array_equal(h["loss"], ref_h["loss"])


def test_dict_batches_for_a_two_input_model():
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    out = keras.layers.Dense(1, name="out")(keras.layers.Concatenate()([a, b]))

    def model():
        m = keras.Model([a, b], out)
        m.set_weights([np.full(w.shape, 0.1, "float32") for w in m.get_weights()])
        m.compile("sgd", "mse")
        return m

    xb, y = Y * 2, X[:, :1]
    ref = model()
    ref.fit({"a": X, "b": xb}, y, batch_size=BATCH, shuffle=False, verbose=0)
    m = model()
    m.fit(({"a": X[s:s + 8], "b": xb[s:s + 8]}, {"out": y[s:s + 8]}) for s in range(0, N, 8))
    np.testing.assert_array_equal(weights(m), weights(ref))
    preds = m.predict(([X[s:s + 8], xb[s:s + 8]],) for s in range(0, N, 8))
    np.testing.assert_array_equal(preds, m.predict([X, xb], verbose=0))


def test_an_unbuilt_model_builds_from_the_first_batch():
    model = make(built=False)
    model.fit(batches(), steps_per_epoch=4, verbose=0)
    assert model.built and model.layers[0].kernel.shape == (4, 3)


def test_initial_epoch_and_callbacks():
    seen = []
    cb = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append((b, logs["loss"])),
                                        on_epoch_end=lambda e, logs: seen.append(("end", e)))
    history = make().fit(Batches(), epochs=3, initial_epoch=1, shuffle=False, verbose=0, callbacks=[cb])
    assert history.epoch == [1, 2] and len(history.history["loss"]) == 2
    assert [s[0] for s in seen] == [0, 1, 2, 3, "end", 0, 1, 2, 3, "end"]
    assert seen[3][1] == pytest.approx(history.history["loss"][0])


def test_evaluate_and_predict_on_sources_match_arrays():
    model = make()
    model.fit(X, Y, batch_size=BATCH, verbose=0)
    ref = model.evaluate(X, Y, batch_size=BATCH, verbose=0)
    np.testing.assert_allclose(model.evaluate(batches(loops=1), verbose=0), ref, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(batches(), steps=4, verbose=0), ref, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(Batches(), verbose=0), ref, rtol=1e-6)
    np.testing.assert_allclose(model.evaluate_generator(batches(), 4), ref, rtol=1e-6)
    assert model.evaluate(batches(), steps=4, verbose=0, return_dict=True).keys() == {"loss", "mae"}

    expected = model.predict(X, verbose=0)
    x_only = (X[s:s + BATCH] for s in range(0, N, BATCH))
    for source in (batches(loops=1), batches(), x_only, ((b[0],) for b in batches(loops=1)), Batches()):
        out = model.predict(source, steps=4 if source.__class__.__name__ == "generator" else None, verbose=0)
        assert out.shape == (N, 2)
        np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(model.predict_generator(batches(), 4), expected)


def test_keras_values_for_pydataset_evaluate_and_predict():
    """Real Keras 3.15.1 (jax): fit(PyDataset, shuffle=False, epochs=2), then evaluate(gen, steps=4) and
    predict(gen, steps=4)."""
    model = make()
    history = model.fit(Batches(), shuffle=False, epochs=2, verbose=0).history
    np.testing.assert_allclose(history["loss"], [1.1832787990570068, 1.0696402788162231], rtol=1e-6)
    np.testing.assert_allclose(history["mae"], [0.8478738069534302, 0.8092377185821533], rtol=1e-6)
    np.testing.assert_allclose(model.evaluate(batches(), steps=4, verbose=0), [0.9997468590736389, 0.7882057428359985],
                               rtol=1e-6)
    np.testing.assert_allclose(model.predict(batches(), steps=4)[:2], [[-0.20297294855117798, 0.17212682962417603],
                                                                      [-0.31720879673957825, 0.1306258887052536]],
                               rtol=1e-5)


def test_keras2_fit_generator_argument_order():
    ref_model, ref = fit_arrays()
    model = make()
    # fit_generator(generator, steps_per_epoch, epochs, verbose, callbacks, validation_data, validation_steps,
    #               class_weight, max_queue_size, workers, use_multiprocessing, shuffle, initial_epoch)
    history = model.fit_generator(batches(), 4, 2, 0, None, None, None, None, 10, 1, False, True, 0)
    np.testing.assert_array_equal(weights(model), weights(ref_model))
    np.testing.assert_array_equal(history.history["loss"], ref["loss"])
    model = make()
    model.fit_generator(OldBatches(), epochs=2, verbose=0, shuffle=False, workers=4, use_multiprocessing=True)
    np.testing.assert_array_equal(weights(model), weights(ref_model))


def test_progress_for_a_generator_of_unknown_length(monkeypatch, capsys):
    monkeypatch.setattr(progbar_module, "_stdout_is_dynamic", lambda: True)
    make().fit(batches(loops=1), epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "      1/Unknown" in out  # Keras 3: the step count, then "/Unknown", until the end
    final = out.split("\r")[-1]  # then the known count, as Keras 3 draws it: bold "4/4", the full bar
    assert final.startswith("\x1b[1m4/4\x1b[0m \x1b[32m━") and "loss: 1.1833 - mae: 0.8479" in final

    monkeypatch.setattr(progbar_module, "_stdout_is_dynamic", lambda: False)
    make().fit(batches(loops=1), epochs=1, verbose=2)
    assert capsys.readouterr().out.startswith("4/4 - ")
    make().fit(batches(), steps_per_epoch=4, epochs=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[1].startswith("4/4 ━") and "loss: 1.0696" in lines[3]


@pytest.mark.parametrize("kwargs, message", [
    (dict(y=Y), "when providing `x` as a generator, `y` should not be passed"),
    (dict(sample_weight=np.ones(N)), "`sample_weight` should not be passed"),
    (dict(batch_size=8), "`batch_size` should not be passed"),
    (dict(validation_split=0.2), "`validation_split` is only supported for arrays"),
], ids=["y", "sample_weight", "batch_size", "validation_split"])
def test_arguments_that_batches_carry_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make().fit(batches(), steps_per_epoch=2, verbose=0, **kwargs)


def test_y_with_a_pydataset_is_refused():
    with pytest.raises(ValueError, match="as a PyDataset, `y` should not be passed"):
        make().fit(Batches(), Y, verbose=0)
    with pytest.raises(ValueError, match="as a Sequence, `y` should not be passed"):
        make().evaluate(OldBatches(), Y, verbose=0)


@pytest.mark.parametrize("source, received", [
    (lambda: (b[0] for b in batches()), "it produced an array of shape (8, 4)"),
    (lambda: (list(b) for b in batches()),
     "it produced a list of 2 (an array of shape (8, 4), an array of shape (8, 2))"),
    (lambda: (b * 2 for b in batches()), "it produced a tuple of 4"),
], ids=["bare-x", "list", "four-parts"])
def test_a_generator_yielding_the_wrong_structure(source, received):
    with pytest.raises(ValueError) as e:
        make().fit(source(), steps_per_epoch=2, verbose=0)
    assert "expected the generator given as x to produce tuples (inputs,), (inputs, targets) or " \
           "(inputs, targets, sample_weights)" in str(e.value)
    assert received in str(e.value)


def test_inputs_only_batches_for_fit_say_targets_are_needed():
    with pytest.raises(ValueError, match=r"batches of inputs only.*yield tuples \(inputs, targets\)"):
        make().fit(((b[0],) for b in batches()), steps_per_epoch=2, verbose=0)


def test_empty_sources_and_generator_methods_on_arrays():
    with pytest.raises(ValueError, match="empty generator as x: it must yield at least one batch"):
        make().fit(iter([]), verbose=0)
    with pytest.raises(ValueError, match="no batches from the generator"):
        make().evaluate(iter([]), verbose=0)
    with pytest.raises(TypeError, match=r"fit_generator\(\) expected a generator.*got ndarray.*fit\(x, y"):
        make().fit_generator(X, 4)
    with pytest.raises(TypeError, match=r"predict_generator\(\) expected a generator"):
        make().predict_generator([X])


def test_nan_loss_from_a_generator_names_the_batch():
    bad = X.copy()
    bad[N - 1, 0] = np.nan
    with pytest.raises(FloatingPointError, match="last batch from the generator contains NaN"):
        make().fit(batches(bad, Y), steps_per_epoch=4, verbose=0)
