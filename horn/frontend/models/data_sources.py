"""Batches for fit/evaluate/predict from arrays or from a source that makes them one at a time.

A *source* is a Python generator or iterator, or an indexed dataset (`horn.utils.PyDataset`,
Keras 2's `Sequence`, or any object with `__len__`, `__getitem__` and `on_epoch_end`). fit()'s
loop asks a batch provider (`ArrayBatches` or `SourceBatches`) for each step's
`(program, batch, rows)` and runs it, so arrays and sources share one loop and one compiled
training program per batch shape.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator

import numpy as np

from ..utils.py_dataset import PyDataset
from .data import sample_weights

_TUPLE_FORMS = "(inputs,), (inputs, targets) or (inputs, targets, sample_weights)"


def is_source(data) -> bool:
    """Whether `data` yields batches itself (a generator, iterator or Sequence) rather than being arrays."""
    if isinstance(data, (PyDataset, Iterator)):
        return True
    if isinstance(data, (np.ndarray, list, tuple, dict, str, bytes)):
        return False
    # A Keras 2 Sequence (or tf.keras's) that is not a horn subclass: the same methods.
    return all(hasattr(data, m) for m in ("__len__", "__getitem__", "on_epoch_end"))


def source_kind(data) -> str:
    if isinstance(data, Iterator):
        return "generator"
    return "PyDataset" if isinstance(data, PyDataset) and not _is_keras2_sequence(data) else "Sequence"


def _is_keras2_sequence(data) -> bool:
    return any(c.__name__ == "Sequence" for c in type(data).__mro__)


def check_source_arguments(method, kind, y=None, sample_weight=None, batch_size=None, validation_split=0.0):
    """Keras's errors for arguments that a source's batches carry themselves."""
    for name, value, what in (("y", y, "the targets"), ("sample_weight", sample_weight, "the sample weights")):
        if value is not None:
            raise ValueError(f"{method}(): when providing `x` as a {kind}, `{name}` should not be passed. "
                             f"Instead, {what} should be included as part of the {kind}'s batches.")
    if batch_size is not None:
        raise ValueError(f"{method}(): when providing `x` as a {kind}, `batch_size` should not be passed: the "
                         f"{kind}'s batches set the batch size. Received: batch_size={batch_size}")
    if validation_split:
        raise ValueError(f"{method}(): `validation_split` is only supported for arrays, not for a {kind}. "
                         f"Pass validation_data=... instead. Received: validation_split={validation_split}")


def _describe(batch) -> str:
    """A short account of what a source produced, for error messages (never the values)."""
    if hasattr(batch, "shape") and hasattr(batch, "dtype"):
        return f"an array of shape {tuple(batch.shape)}"
    if isinstance(batch, (list, tuple)):
        parts = ", ".join(_describe(b) for b in batch[:4]) + (", ..." if len(batch) > 4 else "")
        return f"a {type(batch).__name__} of {len(batch)} ({parts})"
    if isinstance(batch, dict):
        return f"a dict with keys {sorted(map(str, batch))}"
    return f"a {type(batch).__name__}"


class BatchSource:
    """One source's batches, epoch by epoch, as Keras reads them.

    With `steps` (steps_per_epoch) an epoch takes that many batches and the next epoch goes on
    where it stopped; an indexed source starts a new (reshuffled) pass when one is used up.
    Without `steps` an epoch is one pass: `len()` batches, or a generator's batches until it ends.
    """

    def __init__(self, data, method, steps=None, shuffle=False, what="x", rng=None):
        self.data, self.method, self.what = data, method, what
        self.rng = rng if rng is not None else np.random.default_rng()
        self.kind = source_kind(data)
        self.indexed = not isinstance(data, Iterator)
        self.length = self._length() if self.indexed else None
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1):
            raise ValueError(f"{method}(): steps must be a positive integer or None, got {steps!r}")
        self.steps = steps
        if self.indexed and self.length is None and steps is None:
            raise ValueError(f"{method}(): {what} is a {self.kind} without a length (num_batches is None), so "
                             "pass steps_per_epoch= (or steps= for evaluate/predict) to say how many batches "
                             "an epoch has.")
        self.shuffle = bool(shuffle) and self.indexed and self.length is not None
        self._order, self._pos = None, 0
        self._peeked = []  # raw batches read ahead of the epoch that will use them
        self._iterator = None

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch, or None when only the end of a generator tells."""
        return self.steps or self.length

    @property
    def one_shot(self) -> bool:
        """A generator cannot start over: once it ends, no later epoch gets batches."""
        return not self.indexed

    def _length(self):
        count = getattr(self.data, "num_batches", None) if isinstance(self.data, PyDataset) else None
        return int(count) if count is not None else (len(self.data) if hasattr(self.data, "__len__") else None)

    def peek(self):
        """The first batch the next epoch will use (read once, not twice)."""
        if not self._peeked:
            it = self._next_batches()
            try:
                self._peeked.append(next(it))
            except StopIteration:
                raise ValueError(f"{self.method}() got an empty {self.kind} as {self.what}: it must yield at "
                                 "least one batch.") from None
        return self._peeked[0]

    def epoch(self):
        """This epoch's raw batches (an iterator; it ends early if the source runs out)."""
        if self.indexed and hasattr(self.data, "on_epoch_begin"):
            self.data.on_epoch_begin()
        limit = self.steps if self.steps is not None else self.length
        batches = itertools.chain(self._take_peeked(), self._next_batches())
        return batches if limit is None else itertools.islice(batches, limit)

    def _take_peeked(self):
        while self._peeked:
            yield self._peeked.pop(0)

    def _next_batches(self):
        if not self.indexed:
            if self._iterator is None:
                self._iterator = iter(self.data)
            for batch in self._iterator:
                yield self._checked(batch)
            return
        if self.length is None:  # an endless PyDataset: steps says where each epoch stops
            while True:
                yield self._checked(self.data[self._pos])
                self._pos += 1
        if self._order is None or self._pos >= len(self._order):
            self._order = self.rng.permutation(self.length) if self.shuffle else np.arange(self.length)
            self._pos = 0
        while self._pos < len(self._order):
            index = int(self._order[self._pos])
            self._pos += 1
            yield self._checked(self.data[index])

    def _checked(self, batch):
        """A batch as a tuple of 1 to 3 parts (a Sequence's list or lone array is accepted, as in Keras)."""
        if self.indexed and isinstance(batch, list):
            batch = tuple(batch)
        elif self.indexed and isinstance(batch, np.ndarray):
            batch = (batch,)
        if isinstance(batch, tuple) and 1 <= len(batch) <= 3:
            return batch
        if self.method == "predict":
            return (batch,)  # predict reads only the inputs: a bare batch of x is fine
        source = (f"{type(self.data).__name__}.__getitem__()" if self.indexed
                  else f"the {self.kind} given as {self.what}")
        raise ValueError(f"{self.method}() expected {source} to produce tuples {_TUPLE_FORMS}, but it produced "
                         f"{_describe(batch)}.")

    def rewind(self):
        """Start an indexed source's next pass from its first batch (each evaluation does, as in
        Keras); a generator goes on where it stopped."""
        if self.indexed:
            self._order, self._pos, self._peeked = None, 0, []

    def end_epoch(self):
        if self.indexed and hasattr(self.data, "on_epoch_end"):
            self.data.on_epoch_end()


def convert(model, batch, method, class_weight=None, need_y=True):
    """One raw batch as the model's (xs, ys, sws) arrays, checked as fit() checks arrays."""
    x = batch[0]
    y = batch[1] if len(batch) > 1 else None
    sw = batch[2] if len(batch) > 2 else None
    if need_y and y is None:
        raise ValueError(f"{method}() got batches of inputs only, {_describe(batch)}: the model's loss needs "
                         f"targets, so yield tuples (inputs, targets) or (inputs, targets, sample_weights).")
    xs, ys, n = model._adapt(x, y, method, need_y=need_y)
    sws = sample_weights(sw, class_weight, ys, model.output_names, n, method) if need_y else []
    return xs, ys, sws


def ran_out_warning(method, kind, got, wanted, epoch=None):
    """Keras's warning for a source that ends before the steps asked of it."""
    where = f" in epoch {epoch + 1}" if epoch is not None else ""
    account = (f"The {kind} gave {got} of the {wanted} batches expected{where}." if wanted else
               f"The {kind} had already ended when epoch {epoch + 1} began.")
    warnings.warn(f"{method}(): your input ran out of data; interrupting training. {account} Make sure that your "
                  "dataset or generator can generate at least `steps_per_epoch * epochs` batches.",
                  UserWarning, stacklevel=4)


class ArrayBatches:
    """fit()'s batches from arrays: rows of one permutation per epoch, one compiled program."""

    one_shot = False

    def __init__(self, program, batch, n, batch_size, steps, shuffle, rng):
        self.program, self.batch, self.n, self.batch_size = program, batch, n, batch_size
        self.steps, self.shuffle, self.rng = steps, shuffle, rng

    def begin_epoch(self):
        program, batch, n, batch_size = self.program, self.batch, self.n, self.batch_size
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)

        def take(step):
            start = (step * batch_size) % n
            return program, batch, order[start:start + batch_size]

        return take

    def end_epoch(self):
        pass

    def non_finite(self):
        for i, a in enumerate(self.batch):
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                return f"input array {i}" if i else "input array x"
        return None


class SourceBatches:
    """fit()'s batches from a source: each converted and run by the training program for its shapes."""

    def __init__(self, model, source, class_weight):
        self.model, self.source, self.class_weight = model, source, class_weight
        self.steps, self.kind, self.one_shot = source.num_batches, source.kind, source.one_shot
        self.last = None
        # Read the first batch now: it builds an unbuilt model and its training state, as Keras peeks.
        self._step_arrays(source.peek())

    def _step_arrays(self, raw):
        xs, ys, sws = convert(self.model, raw, "fit", self.class_weight)
        program = self.model._train_program(xs, ys, sws)
        self.last = xs + ys + [w for w in sws if w is not None]
        return program, self.last, None

    def begin_epoch(self):
        batches, step_arrays = self.source.epoch(), self._step_arrays
        return lambda step: step_arrays(next(batches))

    def end_epoch(self):
        self.source.end_epoch()

    def non_finite(self):
        for a in self.last or ():
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                return f"last batch from the {self.source.kind}"
        return None
