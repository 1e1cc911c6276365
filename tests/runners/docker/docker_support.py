"""Constants and a wait of the docker tests; the run folder itself is tests/phase_support.py."""

from __future__ import annotations

import time
from pathlib import Path

from harness.phases import PredictLimits
from harness.runners.base import Limits

ROOT = Path(__file__).resolve().parents[3]
NO_LIMITS = Limits()
# A container starts slower than a process: more setup time than the execution tests give.
FAST = PredictLimits(setup_s=20.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=2.0)


def gone_within(check, timeout_s: float = 30.0):
    """`check()` once it is empty, or its last value after timeout_s (the clean-up is async)."""
    deadline = time.monotonic() + timeout_s
    while (left := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left
