"""Budget arithmetic and the stopping callback, under a fake clock."""

import keras
import numpy as np
import pytest
from garbage.budget import Budget, BudgetCallback, may_start, safety_margin, units_that_fit


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_time_remaining_keeps_the_margin():
    clock = FakeClock()
    budget = Budget(deadline=1100.0, margin_s=10.0, clock=clock)
    assert budget.time_remaining() == 90.0
    clock.t += 50
    assert budget.time_remaining() == 40.0


def test_budget_from_env_uses_the_deadline_or_the_default():
    clock = FakeClock()
    budget = Budget.from_env({"ONLINESIM_DEADLINE": "1900"}, 60.0, 0.1, 5.0, clock)
    assert budget.margin_s == 90.0 and budget.time_remaining() == 810.0
    default = Budget.from_env({}, 60.0, 0.1, 8.0, clock)
    assert default.time_remaining() == pytest.approx(52.0)


def test_safety_margin_bounds():
    assert safety_margin(900, 0.08, 8) == pytest.approx(72.0)
    assert safety_margin(50, 0.08, 8) == 8.0
    assert safety_margin(10, 0.08, 8) == 5.0  # never more than half the budget


def test_units_that_fit():
    assert units_that_fit(100.0, 7.0) == 14
    assert units_that_fit(100.0, 7.0, reserve_s=30.0) == 10
    assert units_that_fit(5.0, 7.0, reserve_s=10.0) == 0


def test_a_step_that_cannot_be_stopped_starts_only_within_half_the_time_left():
    assert may_start(50.0, 100.0)
    assert not may_start(50.1, 100.0)
    assert may_start(0.0, 0.1)  # a negligible step, a little time left


def test_nothing_starts_without_time_left_however_small_the_estimate():
    assert not may_start(0.0, 0.0)
    assert not may_start(0.0, -5.0)


def test_callback_stops_fit_on_time():
    clock = FakeClock()
    budget = Budget(deadline=1000.0 + 10.0, margin_s=2.0, clock=clock)
    callback = BudgetCallback(budget, reserve_s=1.0)
    batches = []

    class Tick(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(batch)
            clock.t += 1.0  # each batch "takes" one second

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((100, 3), "float32"), np.zeros((100, 2), "float32")
    model.fit(x, y, batch_size=1, epochs=3, verbose=0, callbacks=[Tick(), callback])
    # 10 s to the deadline, 2 s margin, 1 s reserve: stops after the 7th batch
    assert callback.stopped_early
    assert len(batches) == 7
    assert callback.time_remaining() <= 0
