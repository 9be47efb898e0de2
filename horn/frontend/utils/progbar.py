"""Keras 3's text progress bar (`keras.utils.Progbar`), cheap enough to call every step."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable

import numpy as np

# The clock, a module global so that tests can replace it.
_now = time.time

# ANSI styles, as Keras 3 writes them.
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"
_BAR_CHAR = "\u2501"  # ━


def _stdout_is_dynamic() -> bool:
    """Whether stdout can redraw a line in place: a terminal, Jupyter or PyCharm."""
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        tty = bool(isatty and isatty())
    except ValueError:  # a closed stream
        tty = False
    return tty or "ipykernel" in sys.modules or "PYCHARM_HOSTED" in os.environ


def format_value(value) -> str:
    """A metric the way the progress bar shows it: `0.4620`, or `1.2000e-04` below 1e-3."""
    if isinstance(value, str):
        return value
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = float(np.mean(np.asarray(value, dtype=np.float64)))
    if value != 0 and abs(value) < 1e-3:
        return f"{value:.4e}"
    return f"{value:.4f}"


def format_time_per_unit(time_per_unit: float, unit_name: str = "step") -> str:
    """` 5ms/step`: whole seconds, milliseconds or microseconds, with a leading space."""
    if time_per_unit >= 1 or time_per_unit == 0:
        return f" {time_per_unit:.0f}s/{unit_name}"
    if time_per_unit >= 1e-3:
        return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
    return f" {time_per_unit * 1e6:.0f}us/{unit_name}"


def _format_eta(eta: float) -> str:
    if eta > 3600:
        return f"{int(eta // 3600)}:{int(eta % 3600 // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


Values = Iterable[tuple[str, object]] | Callable[[], Iterable[tuple[str, object]]] | None


class Progbar:
    """Displays a progress bar, with Keras 3's look.

    Every value is shown as given (the caller passes running averages), so
    `stateful_metrics` is accepted for compatibility only. A redraw happens at
    most every `interval` seconds and always on the final update; an update that
    draws nothing returns without formatting anything, and a callable `values`
    is only called when a line is drawn.

    On a terminal (or in Jupyter) `verbose=1` redraws one line in place with
    `\\r` and ANSI colours; elsewhere (a log file, a pipe) it prints only the
    final line, without colours. `verbose=2` prints only the final line, as
    `57/57 - 1s - 5ms/step - loss: 0.4230`.

    Args:
        target: Total number of steps expected, or None if unknown.
        width: Width of the bar, in characters.
        verbose: 0 (silent), 1 (progress bar) or 2 (one line at the end).
        interval: Minimum time between two redraws, in seconds.
        stateful_metrics: Accepted for Keras compatibility; every value is shown as is.
        unit_name: What a step is called in the time-per-step field.
        dynamic_display: Force (True) or forbid (False) in-place redrawing;
            None detects it from stdout.

    Example:

    ```python
    bar = Progbar(57)
    for step in range(57):
        ...
        bar.update(step + 1, lambda: [("loss", running_loss)])
    ```
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
        *,
        dynamic_display: bool | None = None,
    ):
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar verbose must be 0, 1 or 2, but got verbose={verbose!r}.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._dynamic_display = _stdout_is_dynamic() if dynamic_display is None else dynamic_display
        self._values = {}  # name -> latest value, in first-seen order
        self._pending = None  # the latest `values` argument, resolved only when drawing
        self._seen_so_far = 0
        self._start = _now()
        self._last_update = -math.inf  # the first update always draws
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current: int, values: Values = None, finalize: bool | None = None) -> None:
        """Moves the bar to step `current`, redrawing it if it is time to.

        Args:
            current: Index of the current step (1-based: the number of steps done).
            values: `(name, value)` pairs to show, or a callable returning them.
                Values are shown as given.
            finalize: Whether this is the last update; defaults to `current >= target`.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        if values is not None:
            self._pending = values
        self._seen_so_far = current
        now = _now()
        if current == 1:
            self._time_after_first_step = now
        if self.verbose == 0:
            return
        if not finalize:
            # The per-step fast path: nothing is formatted unless a line is drawn.
            if self.verbose == 2 or not self._dynamic_display:
                return
            if now - self._last_update < self.interval:
                return
        self._draw(current, now, finalize)
        self._last_update = now

    def add(self, n: int, values: Values = None) -> None:
        """Advances the bar by `n` steps."""
        self.update(self._seen_so_far + n, values)

    def _resolve_values(self) -> None:
        pending, self._pending = self._pending, None
        if callable(pending):
            pending = pending()
        for name, value in pending or ():
            self._values[name] = value

    def _time_per_unit(self, current: int, now: float) -> float:
        """Time per step; the first step (compilation, warm-up) is left out once there are others."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            return (now - self._time_after_first_step) / (current - 1)
        return (now - self._start) / current

    def _metrics_text(self) -> str:
        return "".join(f" - {name}: {format_value(v)}" for name, v in self._values.items())

    def _draw(self, current: int, now: float, finalize: bool) -> None:
        self._resolve_values()
        time_per_unit = self._time_per_unit(current, now)
        known = self.target is not None and self.target > 0
        if self.verbose == 2:
            count = self._count_text(current) if known else f"{current}/Unknown"
            line = f"{count} - {now - self._start:.0f}s -"
            line += format_time_per_unit(time_per_unit, self.unit_name) + self._metrics_text()
            _write(line + "\n")
            return

        if known and not finalize:
            time_text = _format_eta(time_per_unit * (self.target - current))
        else:
            time_text = f"{now - self._start:.0f}s"
        info = format_time_per_unit(time_per_unit, self.unit_name) + self._metrics_text()
        if known:
            count = self._count_text(current)
            done = min(int(self.width * (float(current) / self.target)), self.width)
            plain_bar = f"{count} {_BAR_CHAR * self.width}"
            bar = f"{_BOLD}{count}{_RESET} "
            if done > 0:
                bar += f"{_GREEN}{_BAR_CHAR * done}{_RESET}"
            bar += f"{_GREY}{_BAR_CHAR * (self.width - done)}{_RESET}"
        else:
            plain_bar = bar = f"{int(current):7d}/Unknown"
        plain = f"{plain_bar} {time_text}{info}"

        if not self._dynamic_display:
            _write(plain + "\n")
            return
        message = f"\r{bar} {_BOLD}{time_text}{_RESET}{info}"
        width = len(plain)
        if self._prev_total_width > width:
            message += " " * (self._prev_total_width - width)
        self._prev_total_width = width
        _write(message + ("\n" if finalize else ""))

    def _count_text(self, current: int) -> str:
        digits = int(math.log10(self.target)) + 1
        return f"{int(current):>{digits}d}/{self.target}"


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
