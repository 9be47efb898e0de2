"""Progbar: exact text in terminal, log and verbose=2 modes; throttling; lazy values."""

import math

import numpy as np
import pytest

from horn.frontend.utils import progbar as progbar_module
from horn.frontend.utils.progbar import Progbar, format_time_per_unit, format_value

BAR = "\u2501"  # ━
B, G, W, R = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class Clock:
    def __init__(self, t=0.0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = Clock(1000.0)
    monkeypatch.setattr(progbar_module, "_now", c)
    return c


def run_epoch(bar, clock, steps, step_time, values):
    for step in range(1, steps + 1):
        clock.t += step_time
        bar.update(step, values)


@pytest.mark.parametrize(
    "value, text",
    [
        (0.4620, "0.4620"),
        (0.87501, "0.8750"),
        (12.345678, "12.3457"),
        (-0.5, "-0.5000"),
        (1.2e-4, "1.2000e-04"),
        (-3e-5, "-3.0000e-05"),
        (0.0, "0.0000"),
        (1e-3, "0.0010"),
        (float("nan"), "nan"),
        (np.float32(0.25), "0.2500"),
        (np.array(0.75), "0.7500"),
        (np.array([0.5, 1.5]), "1.0000"),
        ("n/a", "n/a"),
    ],
    ids=[
        "plain",
        "rounded",
        "large",
        "negative",
        "small",
        "small-negative",
        "zero",
        "threshold",
        "nan",
        "np-float32",
        "0d-array",
        "1d-array-mean",
        "string",
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize(
    "seconds, text",
    [
        (2.4, " 2s/step"),
        (1.0, " 1s/step"),
        (0.0, " 0s/step"),
        (0.005, " 5ms/step"),
        (0.0456, " 46ms/step"),
        (5e-5, " 50us/step"),
    ],
    ids=["seconds", "one-second", "zero", "ms", "ms-rounded", "us"],
)
def test_format_time_per_unit(seconds, text):
    assert format_time_per_unit(seconds) == text


def test_non_tty_prints_only_the_final_line(clock, capsys):
    bar = Progbar(57, dynamic_display=False)
    run_epoch(bar, clock, 57, 0.005, [("accuracy", 0.875), ("loss", 0.423)])
    out = capsys.readouterr().out
    assert out == f"57/57 {BAR * 20} 0s 5ms/step - accuracy: 0.8750 - loss: 0.4230\n"


def test_non_tty_total_time_and_first_step_excluded(clock, capsys):
    bar = Progbar(10, dynamic_display=False)
    clock.t += 2.0  # a slow first step (compilation) is left out of the per-step time
    bar.update(1)
    for step in range(2, 11):
        clock.t += 0.01
        bar.update(step, [("loss", 0.5)])
    assert capsys.readouterr().out == f"10/10 {BAR * 20} 2s 10ms/step - loss: 0.5000\n"


def test_tty_redraws_in_place_with_colours(clock, capsys):
    bar = Progbar(57, dynamic_display=True)
    clock.t += 0.004
    bar.update(1, [("accuracy", 0.5), ("loss", 0.9)])
    for step in range(2, 13):
        clock.t += 0.004
        bar.update(step, [("accuracy", 0.8125), ("loss", 0.462)])
    out = capsys.readouterr().out
    # Step 1 draws at once; steps 2..12 took 44 ms, under the 50 ms interval: nothing more.
    first = f"\r{B} 1/57{R} {W}{BAR * 20}{R} {B}0s{R} 4ms/step - accuracy: 0.5000 - loss: 0.9000"
    assert out == first
    clock.t += 0.008  # 52 ms since the last draw
    bar.update(13, [("accuracy", 0.8125), ("loss", 0.462)])
    out = capsys.readouterr().out
    # 13/57 of 20 cells is 4; ETA = 44 steps * 4.33 ms.
    assert out == (
        f"\r{B}13/57{R} {G}{BAR * 4}{R}{W}{BAR * 16}{R} {B}0s{R} 4ms/step - accuracy: 0.8125 - loss: 0.4620"
    )
    for step in range(14, 58):
        clock.t += 0.004
        bar.update(step, [("accuracy", 0.875), ("loss", 0.423)])
    out = capsys.readouterr().out
    last = out[out.rindex("\r") :]
    assert last == (
        f"\r{B}57/57{R} {G}{BAR * 20}{R}{W}{R} {B}0s{R} 4ms/step - accuracy: 0.8750 - loss: 0.4230\n"
    )


def test_tty_pads_a_shorter_line_to_erase_the_previous_one(clock, capsys):
    bar = Progbar(4, dynamic_display=True)
    clock.t += 0.1
    bar.update(1, [("loss", 12.5)])
    clock.t += 0.1
    bar.update(2, [("loss", 0.5)])
    out = capsys.readouterr().out
    lines = out.split("\r")[1:]
    plain = [line.replace(B, "").replace(G, "").replace(W, "").replace(R, "") for line in lines]
    assert len(plain[0]) == len(plain[1])
    assert plain[1].endswith("loss: 0.5000 ")


def test_eta_formats(clock, capsys):
    bar = Progbar(1000, dynamic_display=True)
    clock.t += 0.5
    bar.update(1)
    clock.t += 0.5
    bar.update(2)  # 998 steps left at 0.5 s: 499 s
    out = capsys.readouterr().out.split("\r")[-1]
    assert f"{B}8:19{R}" in out
    bar = Progbar(100000, dynamic_display=True)
    clock.t += 0.5
    bar.update(1)
    out = capsys.readouterr().out
    assert f"{B}13:53:19{R}" in out  # 99999 * 0.5 s


def test_verbose_2_prints_one_summary_line(clock, capsys):
    bar = Progbar(57, verbose=2)
    run_epoch(bar, clock, 57, 0.005, [("accuracy", 0.875), ("loss", 0.423)])
    assert capsys.readouterr().out == "57/57 - 0s - 5ms/step - accuracy: 0.8750 - loss: 0.4230\n"


def test_verbose_0_is_silent(clock, capsys):
    bar = Progbar(5, verbose=0)
    run_epoch(bar, clock, 5, 0.1, [("loss", 1.0)])
    assert capsys.readouterr().out == ""


def test_lazy_values_are_read_only_when_drawing(clock, capsys):
    calls = []

    def values():
        calls.append(1)
        return [("loss", 0.25)]

    bar = Progbar(100, dynamic_display=True, interval=0.05)
    run_epoch(bar, clock, 100, 0.001, values)  # 100 ms in all: a draw every ~50 ms
    assert 2 <= len(calls) <= 4
    assert capsys.readouterr().out.endswith("loss: 0.2500\n")

    calls.clear()
    bar = Progbar(100, dynamic_display=False)
    run_epoch(bar, clock, 100, 0.001, values)
    assert len(calls) == 1  # only the final line
    capsys.readouterr()


def test_values_given_before_a_final_update_without_values_are_kept(clock, capsys):
    bar = Progbar(3, dynamic_display=False)
    bar.update(1, [("loss", 1.0)])
    bar.update(2, [("loss", 0.5)])
    bar.update(3)
    assert capsys.readouterr().out.endswith(" - loss: 0.5000\n")


def test_count_is_right_aligned_to_the_target_width(clock, capsys):
    bar = Progbar(1000, dynamic_display=True)
    bar.update(7)
    assert capsys.readouterr().out.startswith(f"\r{B}   7/1000{R} ")


def test_unknown_target(clock, capsys):
    bar = Progbar(None, dynamic_display=True)
    clock.t += 0.02
    bar.update(1, [("loss", 2.0)])
    assert capsys.readouterr().out == f"\r      1/Unknown {B}0s{R} 20ms/step - loss: 2.0000"
    bar = Progbar(None, dynamic_display=False)
    clock.t += 1.5
    bar.update(3, [("loss", 1.0)], finalize=True)
    assert capsys.readouterr().out == "      3/Unknown 2s 500ms/step - loss: 1.0000\n"


def test_add_advances_by_n(clock, capsys):
    bar = Progbar(6, dynamic_display=False)
    bar.add(2)
    bar.add(2, [("loss", 3.0)])
    assert capsys.readouterr().out == ""
    bar.add(2)
    assert capsys.readouterr().out.startswith("6/6 ")


def test_rejects_bad_verbose():
    with pytest.raises(ValueError, match="verbose must be 0, 1 or 2"):
        Progbar(10, verbose=3)


def test_a_quiet_update_is_cheap():
    bar = Progbar(10**9, dynamic_display=True, interval=3600)
    bar.update(1)
    import time

    start = time.perf_counter()
    for step in range(2, 20002):
        bar.update(step, math.sqrt)  # never called: no draw happens
    per_call = (time.perf_counter() - start) / 20000
    assert per_call < 20e-6
