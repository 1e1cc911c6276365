"""Budget and deadline arithmetic, as plain functions of a clock so tests can fake time.

The harness measures with the monotonic clock (immune to wall-clock jumps)
and tells the submission its deadline as a UNIX time, which is what a
program can compare with `time.time()`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Deadline:
    """A point on `clock` after which the phase is stopped."""

    at: float
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - self.clock())


def unix_deadline(budget_s: float, wall_now: float) -> float:
    """The deadline the submission is told, as a UNIX time."""
    return wall_now + budget_s
