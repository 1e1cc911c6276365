"""The phase log as the report shows it: its last lines, and the harness's own notes in it."""

from __future__ import annotations

from pathlib import Path

from harness.phases.outcome import PhaseOutcome, Status
from harness.runners.base import PhaseSpec

TAIL_LINES = 40
INTERRUPTED_GRACE_S = 2.0  # the user pressed Ctrl-C: stop the phase, but do not make them wait
_TAIL_BYTES = 64 * 1024


def log_tail(path: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last `lines` lines of the log (decoded leniently); [] when there is no log."""
    try:
        with open(path, "rb") as log:
            log.seek(0, 2)
            size = log.tell()
            log.seek(max(0, size - _TAIL_BYTES))
            data = log.read()
    except OSError:
        return []
    text = data.decode("utf-8", errors="replace").splitlines()
    if size > _TAIL_BYTES:
        text = text[1:]
    return text[-lines:]


def append_to_log(path: Path, line: str) -> None:
    """Add one harness line to the phase log (e.g. stdout that broke the protocol)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        log.write(line.rstrip("\n") + "\n")


def not_started(phase: str, spec: PhaseSpec, error: OSError) -> PhaseOutcome:
    """The outcome when the command cannot even be started (missing program, bad work dir)."""
    reason = f"The {phase} command {list(spec.command)} could not be started: {error}."
    append_to_log(spec.log_path, f"onlinesim: {reason}")
    return PhaseOutcome(
        phase=phase,
        status=Status.CRASHED,
        reason=reason,
        log_path=str(spec.log_path),
        log_tail=log_tail(spec.log_path),
    )
