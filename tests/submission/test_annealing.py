"""The fine-tune's learning rate: a cosine over the time share or the epochs, whichever ends
first, set on a real fit under a fake clock."""

import keras
import numpy as np
import pytest
from garbage.annealing import CosineOverBudget, cosine_rate, progress


def test_progress_follows_whichever_limit_is_nearer():
    assert progress(75.0, 100.0, 1, 100) == pytest.approx(0.25)  # the clock leads
    assert progress(90.0, 100.0, 50, 100) == pytest.approx(0.5)  # the steps lead
    assert progress(-5.0, 100.0, 0, 100) == 1.0  # past the budget
    assert progress(100.0, 100.0, 0, 0) == 0.0  # no step count known, no time spent
    assert progress(0.0, 0.0, 0, 10) == 1.0  # no time at all


def test_cosine_falls_from_the_peak_to_zero():
    assert cosine_rate(2e-4, 0.0) == pytest.approx(2e-4)
    assert cosine_rate(2e-4, 0.5) == pytest.approx(1e-4)
    assert cosine_rate(2e-4, 1.0) == pytest.approx(0.0, abs=1e-12)
    assert cosine_rate(2e-4, 3.0) == pytest.approx(0.0, abs=1e-12)


class _Rates(keras.callbacks.Callback):
    """Reads the rate each batch trains with (runs after the schedule has set it)."""

    def __init__(self, clock: list[float]) -> None:
        super().__init__()
        self.clock, self.seen = clock, []

    def on_train_batch_begin(self, batch, logs=None):
        self.seen.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))

    def on_train_batch_end(self, batch, logs=None):
        self.clock[0] -= 1.0  # each batch "takes" one of the seconds left


def _fit(seconds: float, epochs: int) -> list[float]:
    left = [seconds]
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(1.0), loss="mse")
    rates = _Rates(left)
    x, y = np.zeros((40, 3), "float32"), np.zeros((40, 2), "float32")
    schedule = CosineOverBudget(1e-3, lambda: left[0])
    model.fit(x, y, batch_size=10, epochs=epochs, verbose=0, callbacks=[schedule, rates])
    return rates.seen


def test_a_fit_cut_by_the_clock_is_annealed_over_its_seconds():
    rates = _fit(seconds=8.0, epochs=100)[:8]  # 4 batches an epoch, 8 s: the clock ends first
    expected = [cosine_rate(1e-3, k / 8) for k in range(8)]
    np.testing.assert_allclose(rates, expected, rtol=1e-5)


def test_a_fit_cut_by_its_epochs_is_annealed_over_its_steps():
    rates = _fit(seconds=1e6, epochs=2)  # 8 steps in all, long before the clock
    expected = [cosine_rate(1e-3, k / 8) for k in range(8)]
    np.testing.assert_allclose(rates, expected, rtol=1e-5)
