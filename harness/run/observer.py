"""The hooks a caller of `simulate` overrides to show a run live (the CLI's progress lines)."""

from __future__ import annotations

from harness.phases.outcome import PhaseOutcome
from harness.runners.base import ResourceSample


class RunObserver:
    """Hooks for live progress; every method is a no-op here, override what you show."""

    def phase_started(self, name: str, limit_s: float | None) -> None:
        """A phase is about to launch, with its time limit (None: no single limit)."""

    def sample(self, phase: str, sample: ResourceSample) -> None:
        """A resource reading of the running phase."""

    def answered(self, done: int, total: int) -> None:
        """Predict progress: `done` of `total` requests answered."""

    def phase_ended(self, outcome: PhaseOutcome) -> None:
        """A phase finished (or was not run)."""
