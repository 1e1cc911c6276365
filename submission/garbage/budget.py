"""Time budget: plain arithmetic over an injectable clock, plus a Keras callback.

The harness gives a deadline (ONLINESIM_DEADLINE); everything here plans
against `time_remaining()`, which already keeps a safety margin free, so the
model is exported before the harness terminates the process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import keras

Clock = Callable[[], float]


class Budget:
    """Seconds left before the deadline, less a safety margin."""

    def __init__(self, deadline: float, margin_s: float, clock: Clock = time.time) -> None:
        self.deadline = deadline
        self.margin_s = margin_s
        self.clock = clock

    @classmethod
    def from_env(
        cls,
        env: dict[str, str],
        default_budget_s: float,
        margin_fraction: float,
        margin_min_s: float,
        clock: Clock = time.time,
    ) -> Budget:
        now = clock()
        deadline = float(env.get("ONLINESIM_DEADLINE") or now + default_budget_s)
        return cls(deadline, safety_margin(deadline - now, margin_fraction, margin_min_s), clock)

    def time_remaining(self) -> float:
        return self.deadline - self.margin_s - self.clock()


def safety_margin(budget_s: float, fraction: float, minimum_s: float) -> float:
    """A share of the budget, never less than `minimum_s`, never more than half of it."""
    return min(max(budget_s * fraction, minimum_s), budget_s / 2)


def units_that_fit(time_left_s: float, seconds_per_unit: float, reserve_s: float = 0.0) -> int:
    """How many units (epochs, batches, images) of measured cost fit in the time left."""
    usable = time_left_s - reserve_s
    if usable <= 0:
        return 0
    if seconds_per_unit <= 0:
        raise ValueError("seconds_per_unit must be positive")
    return int(math.floor(usable / seconds_per_unit))


def may_start(estimate_s: float, time_left_s: float) -> bool:
    """Whether a step that no callback can stop (it compiles, or runs no fit) may start.

    Its estimate must fit in half of the time left, keeping the other half for
    the error in the estimate and for what follows. With no time left nothing
    starts, however small the estimate.
    """
    return time_left_s > 0 and estimate_s <= 0.5 * time_left_s


class BudgetCallback(keras.callbacks.Callback):
    """Stops `fit` after the batch that leaves less than `reserve_s` (e.g. the export) left."""

    def __init__(self, budget: Budget, reserve_s: float = 0.0) -> None:
        super().__init__()
        self.budget = budget
        self.reserve_s = reserve_s
        self.stopped_early = False

    def time_remaining(self) -> float:
        return self.budget.time_remaining() - self.reserve_s

    def on_train_batch_end(self, batch, logs=None):
        if self.time_remaining() <= 0:
            self.stopped_early = True
            self.model.stop_training = True
