"""A runner wrapper that remembers the phases it started, so none outlives the harness."""

from __future__ import annotations

from harness.runners.base import (
    Enforcement,
    Limits,
    PhaseSpec,
    Runner,
    RunningPhase,
    SampleCallback,
)


class TrackingRunner(Runner):
    """Wraps a runner and remembers each phase it starts, so an interrupted run can stop them.

    Ctrl-C reaches the harness only: a phase runs in its own process group, and
    would otherwise run on after the harness has gone.
    """

    def __init__(self, inner: Runner) -> None:
        self.inner = inner
        self.name = inner.name
        self.started: list[RunningPhase] = []

    def enforcement(self, limits: Limits) -> Enforcement:
        return self.inner.enforcement(limits)

    def prepare(self, spec: PhaseSpec) -> str | None:
        return self.inner.prepare(spec)

    def launch(self, spec: PhaseSpec, on_sample: SampleCallback | None = None) -> RunningPhase:
        phase = self.inner.launch(spec, on_sample)
        self.started.append(phase)
        return phase

    def stop_all(self, grace_s: float) -> None:
        for phase in self.started:
            if phase.wait(0) is None:
                phase.stop(grace_s)
