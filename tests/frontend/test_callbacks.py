"""Callbacks driven by a fake fit loop: history, early stopping, LR schedules, CSV, progress."""

import math
import warnings
from collections.abc import Mapping

import numpy as np
import pytest

from horn.frontend.callbacks import (
    Callback,
    CallbackList,
    CSVLogger,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ProgbarLogger,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from horn.frontend.callbacks.monitor import resolve_mode
from horn.frontend.utils import progbar as progbar_module

BAR = "\u2501"


class Optimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate


class FakeModel:
    """What callbacks touch: weights, stop_training, optimizer, history, metrics_names."""

    def __init__(self, learning_rate=0.1, metrics_names=()):
        self.weights = [np.zeros(2)]
        self.stop_training = False
        self.optimizer = Optimizer(learning_rate)
        self.history = None
        self.metrics_names = list(metrics_names)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


class LazyLogs(Mapping):
    """Batch logs whose values are 'read from the device' only when looked up; counts reads."""

    def __init__(self, values):
        self._values = values
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


def fit(model, callbacks, epoch_logs, steps=3, batch_losses=None, verbose=0, **list_kwargs):
    """A minimal fit loop, driving CallbackList the way horn's fit does.

    `epoch_logs[e]` are the logs of epoch e; the weights become [e, e] during epoch e.
    """
    cbks = CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=len(epoch_logs),
        steps=steps,
        **list_kwargs,
    )
    batch_logs = []
    model.stop_training = False
    cbks.on_train_begin()
    logs = None
    for epoch, logs in enumerate(epoch_logs):
        cbks.on_epoch_begin(epoch)
        for step in range(steps):
            cbks.on_train_batch_begin(step)
            model.weights = [np.full(2, float(epoch))]
            loss = batch_losses[epoch][step] if batch_losses else logs.get("loss", 0.0)
            lazy = LazyLogs({"loss": np.float32(loss), "accuracy": np.float32(0.5)})
            batch_logs.append(lazy)
            cbks.on_train_batch_end(step, lazy)
            if model.stop_training:
                break
        logs = dict(logs)
        cbks.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbks.on_train_end(logs)
    return model.history, batch_logs


def losses(*values, key="val_loss"):
    return [{"loss": 1.0, key: v} for v in values]


# History and CallbackList --------------------------------------------------------------------------


def test_history_records_every_epoch():
    model = FakeModel()
    history, _ = fit(model, [], [{"loss": 0.9, "accuracy": 0.5}, {"loss": 0.7, "accuracy": 0.6}])
    assert isinstance(history, History)
    assert history.epoch == [0, 1]
    assert history.history == {"accuracy": [0.5, 0.6], "loss": [0.9, 0.7]}


def test_epoch_logs_become_sorted_python_floats():
    model = FakeModel()
    history, _ = fit(model, [], [{"loss": np.float32(0.5), "accuracy": np.array(0.25)}])
    assert history.history == {"accuracy": [0.25], "loss": [0.5]}
    assert type(history.history["loss"][0]) is float
    cbks = CallbackList([])
    logs = {"z": np.float64(1.0), "a": 2}
    cbks.on_epoch_end(0, logs)
    assert list(logs.items()) == [("a", 2), ("z", 1.0)]  # normalised in place


def test_callback_list_adds_history_and_progbar_once():
    history, progbar = History(), ProgbarLogger()
    cbks = CallbackList([history, progbar], add_history=True, add_progbar=True)
    assert cbks.callbacks == [history, progbar]
    cbks = CallbackList([], add_history=True, add_progbar=True)
    assert [type(c) for c in cbks.callbacks] == [History, ProgbarLogger]


def test_callback_list_sets_model_and_params():
    model, seen = FakeModel(), Callback()
    cbks = CallbackList([seen], add_history=True, model=model, verbose=2, epochs=4, steps=9)
    assert seen.model is model
    assert seen.params == {"verbose": 2, "epochs": 4, "steps": 9}
    assert model.history is cbks.callbacks[-1]


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):  # Keras 2 name
        self.calls.append(("batch_begin", batch))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("batch_end", batch))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch))

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin",))

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def test_hooks_are_called_in_order_and_keras2_batch_names_work():
    rec = Recorder()
    fit(FakeModel(), [rec], [{"loss": 1.0}], steps=2)
    assert rec.calls == [
        ("train_begin",),
        ("epoch_begin", 0),
        ("batch_begin", 0),
        ("batch_end", 0),
        ("batch_begin", 1),
        ("batch_end", 1),
        ("epoch_end", 0),
        ("train_end",),
    ]


def test_batch_hooks_skip_callbacks_that_do_not_override_them():
    rec, quiet = Recorder(), Callback()
    cbks = CallbackList([quiet, rec, EarlyStopping()], add_history=True)
    assert cbks._targets["on_train_batch_end"] == [rec]
    assert cbks._targets["on_test_batch_end"] == []
    lam = LambdaCallback(on_train_batch_end=lambda batch, logs: None)
    assert CallbackList([lam])._targets["on_train_batch_end"] == [lam]


def test_all_test_and_predict_hooks_are_forwarded():
    calls = []
    names = ["on_test_begin", "on_test_end", "on_predict_begin", "on_predict_end"]
    batch_names = [
        "on_test_batch_begin",
        "on_test_batch_end",
        "on_predict_batch_begin",
        "on_predict_batch_end",
    ]

    def record(name):
        return lambda logs: calls.append(name)

    def record_batch(name):
        return lambda batch, logs: calls.append((name, batch))

    hooks = {n: record(n) for n in names}
    hooks.update({n: record_batch(n) for n in batch_names})
    cbks = CallbackList([LambdaCallback(**hooks)])
    cbks.on_test_begin()
    cbks.on_test_batch_begin(0)
    cbks.on_test_batch_end(0, {"loss": 1.0})
    cbks.on_test_end({"loss": 1.0})
    cbks.on_predict_begin()
    cbks.on_predict_batch_begin(0)
    cbks.on_predict_batch_end(0, {"outputs": None})
    cbks.on_predict_end()
    assert calls == [
        "on_test_begin",
        ("on_test_batch_begin", 0),
        ("on_test_batch_end", 0),
        "on_test_end",
        "on_predict_begin",
        ("on_predict_batch_begin", 0),
        ("on_predict_batch_end", 0),
        "on_predict_end",
    ]


def test_builtin_callbacks_never_read_lazy_batch_logs():
    model = FakeModel()
    cbks = [
        EarlyStopping(monitor="loss"),
        ReduceLROnPlateau(monitor="loss"),
        LearningRateScheduler(lambda epoch, lr: lr),
        LambdaCallback(on_epoch_end=lambda e, logs: None),
    ]
    _, batch_logs = fit(model, cbks, [{"loss": 1.0}, {"loss": 0.5}], verbose=0)
    assert [b.reads for b in batch_logs] == [0] * 6


@pytest.mark.parametrize(
    "bad, message",
    [(History, "got the class History. Create one first"), (print, "Subclass horn.callbacks.Callback")],
    ids=["class-not-instance", "function"],
)
def test_callback_list_rejects_non_callbacks(bad, message):
    with pytest.raises(TypeError, match=message):
        CallbackList([bad])


# EarlyStopping ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "monitor, mode, expected",
    [
        ("val_loss", "auto", "min"),
        ("loss", "auto", "min"),
        ("val_accuracy", "auto", "max"),
        ("acc", "auto", "max"),
        ("val_sparse_categorical_accuracy", "auto", "max"),
        ("auc", "auto", "max"),
        ("mean_absolute_error", "auto", "min"),
        ("val_loss", "max", "max"),
        ("accuracy", "min", "min"),
    ],
    ids=lambda v: str(v),
)
def test_auto_mode_direction(monitor, mode, expected):
    assert resolve_mode("EarlyStopping", mode, monitor) == expected


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'sideways' is unknown"):
        stop = EarlyStopping(monitor="val_accuracy", mode="sideways")
    assert stop.mode == "max"


@pytest.mark.parametrize(
    "values, kwargs, epochs_run, best_epoch",
    [
        # best at epoch 1, then two epochs without improvement
        ([1.0, 0.8, 0.9, 0.85, 0.95, 0.7], {"patience": 2}, 4, 1),
        # patience 0 stops at the first epoch that does not improve
        ([1.0, 0.8, 0.9, 0.5], {"patience": 0}, 3, 1),
        # improvements smaller than min_delta do not count
        ([1.0, 0.95, 0.91, 0.5], {"patience": 1, "min_delta": 0.1}, 2, 0),
        # never stops while improving
        ([1.0, 0.9, 0.8, 0.7], {"patience": 1}, 4, 3),
        # warm-up epochs are not monitored
        ([1.0, 2.0, 3.0, 3.5, 2.0], {"patience": 0, "start_from_epoch": 2}, 4, 2),
    ],
    ids=["patience-2", "patience-0", "min-delta", "improving", "start-from-epoch"],
)
def test_early_stopping_stops_at_the_right_epoch(values, kwargs, epochs_run, best_epoch):
    model = FakeModel()
    stop = EarlyStopping(monitor="val_loss", restore_best_weights=True, **kwargs)
    history, _ = fit(model, [stop], losses(*values))
    assert len(history.history["val_loss"]) == epochs_run
    assert stop.best_epoch == best_epoch
    assert stop.best == values[best_epoch]
    np.testing.assert_array_equal(model.get_weights()[0], [best_epoch, best_epoch])


def test_early_stopping_max_mode_on_accuracy():
    model = FakeModel()
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    history, _ = fit(model, [stop], losses(0.5, 0.7, 0.6, 0.9, key="val_accuracy"))
    assert len(history.history["val_accuracy"]) == 3
    assert stop.stopped_epoch == 2 and model.stop_training is True


def test_early_stopping_without_restore_keeps_last_weights():
    model = FakeModel()
    fit(model, [EarlyStopping(patience=1)], losses(1.0, 0.5, 0.6, 0.7))
    np.testing.assert_array_equal(model.get_weights()[0], [2.0, 2.0])


def test_early_stopping_baseline_must_be_beaten():
    model = FakeModel()
    stop = EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)
    history, _ = fit(model, [stop], losses(0.9, 0.8, 0.85, 0.7, 0.6))
    # Epochs 0-1 improve but never beat the baseline, so wait keeps counting: stop at epoch 2.
    assert len(history.history["val_loss"]) == 3
    assert stop.stopped_epoch == 2


def test_early_stopping_messages(capsys):
    model = FakeModel()
    fit(model, [EarlyStopping(patience=1, verbose=1, restore_best_weights=True)], losses(1.0, 0.5, 0.6, 0.7))
    assert capsys.readouterr().out == (
        "Epoch 3: early stopping\nRestoring model weights from the end of the best epoch: 2.\n"
    )


def test_early_stopping_warns_when_the_metric_is_missing():
    model = FakeModel()
    with pytest.warns(UserWarning, match="'val_loss', which is not available. Available metrics are: loss"):
        history, _ = fit(model, [EarlyStopping()], [{"loss": 1.0}, {"loss": 2.0}])
    assert len(history.epoch) == 2


def test_early_stopping_instance_can_be_reused():
    stop = EarlyStopping(patience=0, monitor="loss")
    fit(FakeModel(), [stop], [{"loss": 1.0}, {"loss": 2.0}])
    assert stop.stopped_epoch == 1
    history, _ = fit(FakeModel(), [stop], [{"loss": 5.0}, {"loss": 4.0}, {"loss": 3.0}])
    assert len(history.epoch) == 3 and stop.best == 3.0


# TerminateOnNaN --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")], ids=["nan", "inf", "-inf"])
def test_terminate_on_nan_stops_at_the_bad_batch(bad, capsys):
    model = FakeModel()
    history, batch_logs = fit(
        model,
        [TerminateOnNaN()],
        [{"loss": 1.0}, {"loss": 1.0}],
        steps=3,
        batch_losses=[[0.5, 0.4, 0.3], [0.2, bad, 0.1]],
    )
    assert model.stop_training is True
    assert len(batch_logs) == 5  # stopped after the second batch of epoch 1
    assert history.epoch == [0, 1]
    assert capsys.readouterr().out == "Batch 1: Invalid loss, terminating training\n"


def test_terminate_on_nan_leaves_finite_losses_alone():
    model = FakeModel()
    _, batch_logs = fit(model, [TerminateOnNaN()], [{"loss": 1.0}], steps=4)
    assert model.stop_training is False
    assert [b.reads for b in batch_logs] == [1] * 4  # reads the loss only


# LearningRateScheduler and ReduceLROnPlateau ---------------------------------------------------------


def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    model = FakeModel(learning_rate=0.1)
    sched = LearningRateScheduler(lambda epoch, lr: lr if epoch < 2 else lr * 0.5)
    history, _ = fit(model, [sched], [{"loss": 1.0}] * 4)
    assert history.history["learning_rate"] == [0.1, 0.1, 0.05, 0.025]
    assert model.optimizer.learning_rate == 0.025


def test_learning_rate_scheduler_accepts_a_function_of_the_epoch(capsys):
    model = FakeModel()
    sched = LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1), verbose=1)
    fit(model, [sched], [{"loss": 1.0}] * 2)
    assert model.optimizer.learning_rate == 0.02
    assert capsys.readouterr().out == (
        "\nEpoch 1: LearningRateScheduler setting learning rate to 0.01.\n"
        "\nEpoch 2: LearningRateScheduler setting learning rate to 0.02.\n"
    )


def test_learning_rate_scheduler_rejects_a_non_float():
    with pytest.raises(TypeError, match="must return a float, but for epoch 0 it returned 'fast'"):
        fit(FakeModel(), [LearningRateScheduler(lambda epoch, lr: "fast")], [{"loss": 1.0}])


def test_reduce_lr_on_plateau_reduces_after_patience():
    model = FakeModel(learning_rate=0.1)
    reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2)
    history, _ = fit(model, [reduce], [{"loss": v} for v in [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]])
    # Epochs 2 and 3 do not improve: reduced at the end of epoch 3, then again at epoch 5.
    assert history.history["learning_rate"] == [0.1, 0.1, 0.1, 0.1, 0.05, 0.05]
    assert model.optimizer.learning_rate == 0.025


def test_reduce_lr_on_plateau_min_delta_and_max_mode():
    model = FakeModel(learning_rate=1.0)
    reduce = ReduceLROnPlateau(monitor="val_accuracy", factor=0.1, patience=1, min_delta=0.05)
    history, _ = fit(model, [reduce], losses(0.5, 0.52, 0.6, 0.61, key="val_accuracy"))
    # 0.52 is within min_delta of 0.5: reduce at epoch 1; 0.6 improves; 0.61 does not: reduce again.
    assert history.history["learning_rate"] == [1.0, 1.0, 0.1, 0.1]
    assert model.optimizer.learning_rate == pytest.approx(0.01)


def test_reduce_lr_on_plateau_cooldown():
    def reductions(cooldown):
        model = FakeModel(learning_rate=1.0)
        reduce = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=cooldown)
        history, _ = fit(model, [reduce], [{"loss": 1.0}] * 9)
        rates = history.history["learning_rate"] + [model.optimizer.learning_rate]
        return [e for e in range(9) if rates[e + 1] < rates[e]]

    assert reductions(0) == [2, 4, 6, 8]
    assert reductions(2) == [2, 5, 8]


def test_reduce_lr_on_plateau_respects_min_lr(capsys):
    model = FakeModel(learning_rate=0.1)
    reduce = ReduceLROnPlateau(monitor="loss", factor=0.1, patience=1, min_lr=0.05, verbose=1)
    fit(model, [reduce], [{"loss": 1.0}] * 5)
    assert model.optimizer.learning_rate == 0.05
    assert capsys.readouterr().out == "\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05.\n"


def test_reduce_lr_on_plateau_rejects_factor_above_one():
    with pytest.raises(ValueError, match="factor < 1.0"):
        ReduceLROnPlateau(factor=1.5)


# CSVLogger -------------------------------------------------------------------------------------------


def read(path):
    with open(path, newline="") as f:
        return f.read()


def test_csv_logger_writes_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    fit(FakeModel(), [CSVLogger(path)], [{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.25, "accuracy": 0.875}])
    assert read(path) == "epoch,accuracy,loss\r\n0,0.75,0.5\r\n1,0.875,0.25\r\n"


def test_csv_logger_separator_missing_values_and_declared_val_metrics(tmp_path):
    path = tmp_path / "log.csv"
    model = FakeModel(metrics_names=["loss", "val_loss"])
    logs = [{"loss": 0.5}, {"loss": 0.25, "val_loss": 0.3, "extra": 1.0}]
    fit(model, [CSVLogger(path, separator=";")], logs)
    assert read(path) == "epoch;loss;val_loss\r\n0;0.5;NA\r\n1;0.25;0.3\r\n"


def test_csv_logger_append_writes_the_header_once(tmp_path):
    path = tmp_path / "log.csv"
    fit(FakeModel(), [CSVLogger(path, append=True)], [{"loss": 0.5}])
    fit(FakeModel(), [CSVLogger(path, append=True)], [{"loss": 0.25}])
    assert read(path) == "epoch,loss\r\n0,0.5\r\n0,0.25\r\n"
    fit(FakeModel(), [CSVLogger(path)], [{"loss": 1.0}])
    assert read(path) == "epoch,loss\r\n0,1.0\r\n"


def test_csv_logger_writes_arrays_as_lists(tmp_path):
    path = tmp_path / "log.csv"
    cbks = CallbackList([CSVLogger(path)], model=FakeModel())
    cbks.on_train_begin()
    cbks.on_epoch_end(0, {"per_class": np.array([0.5, 0.25])})
    cbks.on_train_end()
    assert read(path) == 'epoch,per_class\r\n0,"""[0.5, 0.25]"""\r\n'


# LambdaCallback --------------------------------------------------------------------------------------


def test_lambda_callback_calls_the_given_functions():
    seen = []
    lam = LambdaCallback(
        on_train_begin=lambda logs: seen.append("begin"),
        on_epoch_end=lambda epoch, logs: seen.append((epoch, logs["loss"])),
        on_train_batch_end=lambda batch, logs: seen.append(batch),
        on_train_end=lambda logs: seen.append("end"),
    )
    fit(FakeModel(), [lam], [{"loss": 0.5}, {"loss": 0.25}], steps=2)
    assert seen == ["begin", 0, 1, (0, 0.5), 0, 1, (1, 0.25), "end"]


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(ValueError, match=r"unknown hooks \['on_epoch_finish'\]"):
        LambdaCallback(on_epoch_finish=print)


# ProgbarLogger ---------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    state = {"t": 100.0}
    monkeypatch.setattr(progbar_module, "_now", lambda: state["t"])

    class Tick(Callback):
        dt = 0.005

        def on_train_batch_begin(self, batch, logs=None):
            state["t"] += self.dt

    return Tick()


def test_progbar_logger_in_a_log_file(clock, capsys):
    logs = [
        {"accuracy": 0.5, "loss": 0.9, "val_loss": 0.8},
        {"accuracy": 0.875, "loss": 0.423, "val_loss": 0.5},
    ]
    _, batch_logs = fit(FakeModel(), [clock], logs, steps=3, verbose=1)
    assert capsys.readouterr().out == (
        f"Epoch 1/2\n3/3 {BAR * 20} 0s 5ms/step - accuracy: 0.5000 - loss: 0.9000 - val_loss: 0.8000\n"
        f"Epoch 2/2\n3/3 {BAR * 20} 0s 5ms/step - accuracy: 0.8750 - loss: 0.4230 - val_loss: 0.5000\n"
    )
    assert [b.reads for b in batch_logs] == [0] * 6  # nothing drawn per batch, nothing read


def test_progbar_logger_verbose_2_and_a_single_epoch(clock, capsys):
    fit(FakeModel(), [clock], [{"loss": 0.25}], steps=4, verbose=2)
    assert capsys.readouterr().out == "4/4 - 0s - 5ms/step - loss: 0.2500\n"


def test_progbar_logger_shows_the_learning_rate_last(clock, capsys):
    reduce = ReduceLROnPlateau(monitor="loss", patience=5)
    fit(
        FakeModel(learning_rate=0.001), [clock, reduce], [{"val_loss": 0.5, "loss": 0.25}], steps=2, verbose=1
    )
    assert capsys.readouterr().out == (
        f"2/2 {BAR * 20} 0s 5ms/step - loss: 0.2500 - val_loss: 0.5000 - learning_rate: 0.0010\n"
    )


def test_progbar_logger_on_a_terminal_reads_batch_logs_only_when_drawing(clock, capsys, monkeypatch):
    monkeypatch.setattr(progbar_module, "_stdout_is_dynamic", lambda: True)
    clock.dt = 1 / 64  # exact in binary, so the 50 ms interval is crossed every 4th step
    _, batch_logs = fit(FakeModel(), [clock], [{"loss": 0.25, "accuracy": 0.5}], steps=30, verbose=1)
    reads = [b.reads for b in batch_logs]
    # A redraw at most every 50 ms: step 1, then every 4th step; the last line uses epoch logs.
    drawn = [i for i, r in enumerate(reads) if r]
    assert drawn == [0, 4, 8, 12, 16, 20, 24, 28]
    assert all(reads[i] == 2 for i in drawn)  # loss and accuracy, once each
    out = capsys.readouterr().out
    assert out.count("\r") == 9 and out.endswith(" 16ms/step - accuracy: 0.5000 - loss: 0.2500\n")
    assert "\x1b[1m 1/30\x1b[0m" in out and "\x1b[1m 5/30\x1b[0m" in out


def test_progbar_logger_evaluate_outside_fit(clock, capsys):
    cbks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=2)
    cbks.on_test_begin()
    for step in range(2):
        cbks.on_test_batch_end(step, {"loss": 0.5})
    cbks.on_test_end({"loss": 0.5})
    assert capsys.readouterr().out == f"2/2 {BAR * 20} 0s 0s/step - loss: 0.5000\n"


def test_progbar_logger_is_silent_during_validation_in_fit(capsys):
    cbks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=1, epochs=1, steps=1)
    cbks.on_train_begin()
    cbks.on_epoch_begin(0)
    cbks.on_train_batch_end(0, {"loss": 1.0})
    cbks.on_test_begin()
    cbks.on_test_batch_end(0, {"loss": 2.0})
    cbks.on_test_end({"loss": 2.0})
    assert capsys.readouterr().out == ""
    cbks.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    cbks.on_train_end()
    assert capsys.readouterr().out.endswith(" - loss: 1.0000 - val_loss: 2.0000\n")


def test_progbar_logger_learns_an_unknown_step_count(capsys):
    cbks = CallbackList([], add_progbar=True, model=FakeModel(), verbose=1, epochs=2, steps=None)
    cbks.on_train_begin()
    for epoch in range(2):
        cbks.on_epoch_begin(epoch)
        for step in range(3):
            cbks.on_train_batch_end(step, {"loss": 1.0})
        cbks.on_epoch_end(epoch, {"loss": 1.0})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[1].startswith("3/3 ")
    assert out[2] == "Epoch 2/2" and out[3].startswith("3/3 ")


def test_progbar_logger_rejects_sample_counting():
    with pytest.raises(ValueError, match="count_mode='steps'"):
        ProgbarLogger(count_mode="samples")


def test_no_warnings_in_a_plain_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history, _ = fit(FakeModel(), [EarlyStopping(monitor="loss")], [{"loss": math.pi}])
    assert history.history["loss"] == [math.pi]


@pytest.mark.parametrize(
    "callback",
    [ReduceLROnPlateau(monitor="loss"), LearningRateScheduler(lambda epoch, lr: lr)],
    ids=["reduce-lr", "scheduler"],
)
def test_lr_callbacks_refuse_an_optimizer_driven_by_a_schedule(callback):
    model = FakeModel(learning_rate=lambda iterations: 0.1)
    with pytest.raises(TypeError, match="the optimizer was created with a schedule"):
        fit(model, [callback], [{"loss": 1.0}])


def test_lr_callbacks_need_an_optimizer():
    model = FakeModel()
    model.optimizer = None
    with pytest.raises(ValueError, match="compile the model with an optimizer first"):
        fit(model, [LearningRateScheduler(lambda epoch, lr: lr)], [{"loss": 1.0}])
