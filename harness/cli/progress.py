"""Live progress on the terminal while a run is going: one line, rewritten in place.

A three-hour train phase must not look hung. The line shows the phase, time
used against its budget, images answered, and the memory of the phase's
process tree. When stdout is not a terminal (CI logs, a pipe, a file) it
prints nothing, so logs hold only the final report, not carriage-return noise.

`TerminalProgress` implements the simulator's RunObserver protocol:
phase_started, sample, answered, phase_ended. `PhaseLines` is the plain
alternative for logs: one line per phase start and end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO, cast

from harness.phases.outcome import PhaseOutcome
from harness.report.schema import PhaseDetails
from harness.report.units import format_bytes, format_seconds
from harness.run.simulate import RunObserver
from harness.runners.base import ResourceSample

BAR_WIDTH = 20
CLEAR_LINE = "\r\x1b[K"


def progress_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """'#####-----' for 0.5; clipped to the bar, since a phase may run past its budget."""
    filled = round(max(0.0, min(fraction, 1.0)) * width)
    return "#" * filled + "-" * (width - filled)


class TerminalProgress:
    """Draws at most `refresh_s` apart; silent unless `stream` is a terminal."""

    def __init__(
        self,
        stream: TextIO | None = None,
        refresh_s: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.refresh_s = refresh_s
        self.clock = clock
        self._phase: str | None = None
        self._limit_s: float | None = None
        self._started = 0.0
        self._memory: int | None = None
        self._answered: tuple[int, int] | None = None
        self._last_draw = float("-inf")

    def phase_started(self, name: str, limit_s: float | None) -> None:
        self._phase, self._limit_s = name, limit_s
        self._started = self.clock()
        self._memory, self._answered = None, None
        self._draw(force=True)

    def sample(self, phase: str, sample: ResourceSample) -> None:
        self._memory = sample.memory_bytes
        self._draw()

    def answered(self, done: int, total: int) -> None:
        """Shown on the live line; outside a phase the end line already holds the count."""
        self._answered = (done, total)
        self._draw(force=done == total)

    def phase_ended(self, outcome: PhaseOutcome) -> None:
        if self.enabled:
            status = outcome.status.value
            line = f"{outcome.phase:<8} {status:<18} {format_seconds(outcome.wall_s)}"
            details = cast(PhaseDetails, outcome.details or {})  # as report.json will hold it
            if isinstance(details.get("answered"), int) and isinstance(
                details.get("expected"), int
            ):
                line += f"  answered {details['answered']}/{details['expected']}"
            if outcome.peak_memory_bytes is not None:
                line += f"  peak mem {format_bytes(outcome.peak_memory_bytes)}"
            self.stream.write(f"{CLEAR_LINE}{line}\n")
            self.stream.flush()
        self._phase = None

    def status_line(self) -> str:
        """The line as it would be drawn now; empty between phases."""
        if self._phase is None:
            return ""
        elapsed = self.clock() - self._started
        parts = [f"{self._phase:<8}"]
        if self._limit_s:
            fraction = elapsed / self._limit_s
            parts.append(
                f"[{progress_bar(fraction)}] {format_seconds(elapsed)} / "
                f"{format_seconds(self._limit_s)} ({fraction * 100:.0f}%)"
            )
        else:
            parts.append(f"{format_seconds(elapsed)} (no time limit)")
        if self._answered is not None:
            parts.append(f"answered {self._answered[0]}/{self._answered[1]}")
        if self._memory is not None:
            parts.append(f"mem {format_bytes(self._memory)}")
        return "  ".join(parts)

    def _draw(self, force: bool = False) -> None:
        if not self.enabled or self._phase is None:
            return
        now = self.clock()
        if not force and now - self._last_draw < self.refresh_s:
            return
        self._last_draw = now
        self.stream.write(CLEAR_LINE + self.status_line())
        self.stream.flush()


class PhaseLines(RunObserver):
    """One line per phase start and end, no redraws: long runs are not silent in a log."""

    def phase_started(self, name: str, limit_s: float | None) -> None:
        limit = f" (limit {limit_s:g} s)" if limit_s else ""
        print(f"onlinesim: {name} started{limit}", flush=True)

    def phase_ended(self, outcome: PhaseOutcome) -> None:
        print(f"onlinesim: {outcome.phase} {outcome.status.value}", flush=True)
