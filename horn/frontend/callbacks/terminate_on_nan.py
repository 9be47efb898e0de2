"""`TerminateOnNaN`: stop training as soon as the loss is NaN or infinite."""

from __future__ import annotations

import math
import sys

from .callback import Callback


class TerminateOnNaN(Callback):
    """Sets `model.stop_training` when a training batch reports a NaN or infinite loss.

    It reads `logs["loss"]` after every training step, which costs one read of
    the loss from the device per step.

    Example:

    ```python
    model.fit(x, y, callbacks=[TerminateOnNaN()])
    ```
    """

    def on_batch_end(self, batch, logs=None):
        if logs is None:
            return
        loss = logs.get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isnan(loss) or math.isinf(loss):
            sys.stdout.write(f"Batch {batch}: Invalid loss, terminating training\n")
            sys.stdout.flush()
            self.model.stop_training = True
