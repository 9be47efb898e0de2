"""Indexed batch sources for fit/evaluate/predict: Keras 3's `PyDataset` and Keras 2's `Sequence`.

A subclass returns batch `index` from `__getitem__` and says how many there are (`__len__`, or
Keras 3's `num_batches` property). Training asks for the batches in order (or shuffled, with
`fit(shuffle=True)`) and calls `on_epoch_end()` after every epoch. horn reads batches on the
calling thread, so `workers`, `use_multiprocessing` and `max_queue_size` are accepted and kept
for compatibility only.
"""

from __future__ import annotations

import itertools


class PyDataset:
    """Base class for datasets that produce batches by index (Keras 3's `keras.utils.PyDataset`).

    Implement `__getitem__(index)` returning one batch: a tuple `(inputs,)`, `(inputs, targets)` or
    `(inputs, targets, sample_weights)`, where each part is an array, a list of arrays or a dict
    keyed by input/output name. Implement `__len__` (or override `num_batches`; `None` means the
    dataset never ends and fit() then needs `steps_per_epoch`).

    Args:
        workers: accepted for Keras compatibility; batches are read on the calling thread.
        use_multiprocessing: accepted for Keras compatibility.
        max_queue_size: accepted for Keras compatibility.

    Example:

    ```python
    class Batches(horn.utils.PyDataset):
        def __init__(self, x, y, batch_size, **kwargs):
            super().__init__(**kwargs)
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return math.ceil(len(self.x) / self.batch_size)

        def __getitem__(self, i):
            s = slice(i * self.batch_size, (i + 1) * self.batch_size)
            return self.x[s], self.y[s]

    model.fit(Batches(x, y, 32), epochs=5)
    ```
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    # Keras 3 exposes these as settable properties; subclasses that skip super().__init__() get
    # the defaults.
    @property
    def workers(self) -> int:
        return getattr(self, "_workers", 1)

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        return getattr(self, "_use_multiprocessing", False)

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        return getattr(self, "_max_queue_size", 10)

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int):
        """Batch number `index` (0-based)."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index) returning a batch")

    @property
    def num_batches(self) -> int | None:
        """How many batches an epoch has; None for a dataset that never ends."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement __len__() or the num_batches property")

    def on_epoch_begin(self) -> None:
        """Called before each epoch of fit()."""

    def on_epoch_end(self) -> None:
        """Called after each epoch of fit(): a place to reshuffle or augment the data."""

    def __iter__(self):
        count = self.num_batches
        for index in range(count) if count is not None else itertools.count():
            yield self[index]


class Sequence(PyDataset):
    """Keras 2's `keras.utils.Sequence`: a dataset of `__len__()` batches read by `__getitem__`.

    The same contract as `PyDataset` (which replaced it in Keras 3); subclasses implement
    `__len__` and `__getitem__`, and may implement `on_epoch_end`.

    Example:

    ```python
    class Batches(horn.utils.Sequence):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32]

    model.fit_generator(Batches(), epochs=5)
    ```
    """

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__() returning the number of batches")
