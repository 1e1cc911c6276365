"""A learning rate annealed over whichever limit ends the fit first: its time or its epochs.

Fine-tuning gets a share of the budget, not a number of epochs: on a CPU the clock
stops it after a few epochs, on a GPU the epoch cap may come first. A constant rate
ends wherever the stop falls, mid-stride; a cosine over the fit's progress ends on
a settled model under either limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import keras


def progress(seconds_left: float, seconds_total: float, steps_done: int, steps_total: int) -> float:
    """The share of the fit done, in [0, 1]: by the clock or by steps, whichever is further."""
    by_time = 1.0 - seconds_left / seconds_total if seconds_total > 0 else 1.0
    by_steps = steps_done / steps_total if steps_total > 0 else 0.0
    return min(max(by_time, by_steps, 0.0), 1.0)


def cosine_rate(peak: float, done: float) -> float:
    """From `peak` at the start down to zero when the fit is done."""
    return 0.5 * peak * (1.0 + math.cos(math.pi * min(max(done, 0.0), 1.0)))


class CosineOverBudget(keras.callbacks.Callback):
    """Sets the optimizer's rate before every batch; `seconds_left` is the time until the
    budget stops the fit (BudgetCallback.time_remaining)."""

    def __init__(self, peak: float, seconds_left: Callable[[], float]) -> None:
        super().__init__()
        self.peak = peak
        self.seconds_left = seconds_left
        self.seconds_total = 0.0
        self.steps_total = 0
        self.steps_done = 0

    def on_train_begin(self, logs=None):
        self.seconds_total = self.seconds_left()
        self.steps_total = (self.params.get("epochs") or 0) * (self.params.get("steps") or 0)
        self.steps_done = 0

    def on_train_batch_begin(self, batch, logs=None):
        done = progress(self.seconds_left(), self.seconds_total, self.steps_done, self.steps_total)
        self.model.optimizer.learning_rate = cosine_rate(self.peak, done)
        self.steps_done += 1
