"""ModelCheckpoint: save the model (or its weights) during training."""

from __future__ import annotations

import math

from .callback import Callback
from .monitor import monitor_value, resolve_mode


class ModelCheckpoint(Callback):
    """Saves the model after every epoch, or only when `monitor` improved (save_best_only).

    Args:
        filepath: where to save; `{epoch:02d}` and any log name (`{val_loss:.2f}`) are formatted in.
            '.keras' or '.h5' for whole models; weights-only files use Keras's HDF5 layout.
        monitor, mode, save_best_only, initial_value_threshold: as in Keras.
        save_weights_only: save only the weights (model.save_weights).
        save_freq: 'epoch', or an integer number of batches between saves.
        period: Keras 2's spelling of "every `period` epochs".
    Each save is atomic, so a crash mid-save never leaves a broken checkpoint.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None, period=None):
        super().__init__()
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint save_freq must be 'epoch' or a positive integer, got {save_freq!r}")
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq, self.period = save_freq, period or 1
        self.mode = resolve_mode("ModelCheckpoint", mode, monitor)
        if initial_value_threshold is not None:
            self.best = float(initial_value_threshold)
        else:
            self.best = math.inf if self.mode == "min" else -math.inf
        self._batches = 0
        self._epoch = 0

    def _improved(self, value):
        return value < self.best if self.mode == "min" else value > self.best

    def _save(self, epoch, logs, batch=None):
        path = self.filepath.format(epoch=epoch + 1, batch=batch, **(logs or {}))
        if self.save_best_only:
            value = monitor_value("ModelCheckpoint", self.monitor, logs)
            if value is None or not self._improved(value):
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {value:.5f}, "
                      f"saving model to {path}")
            self.best = value
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq != "epoch":
            self._batches += 1
            if self._batches % self.save_freq == 0:
                self._save(self._epoch, dict(logs or {}), batch=batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, logs)
