"""Constants of the docker tests; the run folder itself is tests/phase_support.py."""

from __future__ import annotations

from pathlib import Path

from harness.phases import PredictLimits
from harness.runners.base import Limits

ROOT = Path(__file__).resolve().parents[3]
NO_LIMITS = Limits()
# A container starts slower than a process: more setup time than the execution tests give.
FAST = PredictLimits(setup_s=20.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=2.0)
