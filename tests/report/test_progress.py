"""Live progress: drawn on a real terminal (a pty), silent on a pipe or file."""

from __future__ import annotations

import io
import os
import select
from collections.abc import Iterator

import pytest

from harness.cli.progress import TerminalProgress, progress_bar
from harness.phases.outcome import PhaseOutcome, Status
from harness.runners.base import ResourceSample


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """The writing side of a real pseudo-terminal, and the fd to read what was drawn."""
    reader, writer = os.openpty()
    stream = open(writer, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    yield stream, reader
    stream.close()
    os.close(reader)


def _read_all(fd: int) -> str:
    chunks = []
    while select.select([fd], [], [], 0.2)[0]:
        chunks.append(os.read(fd, 65536))
    return b"".join(chunks).decode("utf-8")


def _run_two_phases(progress: TerminalProgress, clock: FakeClock) -> None:
    progress.phase_started("train", 60.0)
    clock.now += 30
    progress.sample("train", ResourceSample(t=30, memory_bytes=3 * 2**29, cpu_percent=150))
    progress.phase_ended(
        PhaseOutcome("train", Status.OK, "ok", wall_s=31.0, peak_memory_bytes=2**30)
    )
    progress.phase_started("predict", None)
    clock.now += 1
    progress.answered(20, 20)
    progress.phase_ended(
        PhaseOutcome(
            "predict", Status.TOO_SLOW, "slow", wall_s=2.0, details={"answered": 7, "expected": 9}
        )
    )


def test_a_terminal_sees_phase_budget_memory_and_answers(terminal):
    stream, reader = terminal
    clock = FakeClock()
    progress = TerminalProgress(stream, refresh_s=0.0, clock=clock)

    _run_two_phases(progress, clock)

    drawn = _read_all(reader)
    assert progress.enabled
    assert "train" in drawn and "30.0s / 1m00s (50%)" in drawn
    assert "mem 1.5 GiB" in drawn
    assert "answered 20/20" in drawn
    assert "train    ok" in drawn and "peak mem 1.0 GiB" in drawn
    assert "predict  too_slow" in drawn and "answered 7/9" in drawn


def test_nothing_is_written_when_stdout_is_not_a_terminal():
    stream = io.StringIO()
    clock = FakeClock()
    progress = TerminalProgress(stream, refresh_s=0.0, clock=clock)

    _run_two_phases(progress, clock)

    assert not progress.enabled
    assert stream.getvalue() == ""


def test_redraws_are_throttled_but_the_last_answer_always_shows(terminal):
    stream, reader = terminal
    clock = FakeClock()
    progress = TerminalProgress(stream, refresh_s=10.0, clock=clock)
    progress.phase_started("predict", None)

    for done in range(1, 51):
        clock.now += 0.01
        progress.answered(done, 50)

    drawn = _read_all(reader)
    assert "answered 1/50" not in drawn
    assert drawn.count("answered") == 1
    assert "answered 50/50" in drawn


def test_the_bar_is_clipped_when_a_phase_overruns():
    assert progress_bar(0.5, width=10) == "#####-----"
    assert progress_bar(1.7, width=10) == "#" * 10
    assert progress_bar(-1, width=4) == "----"
