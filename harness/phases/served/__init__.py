"""The harness's own predict program, serving the exported SavedModel as the platform did.

`program.py` is launched like any team's predict program; this module only
builds its command and the mount that lets a sandbox or container see it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from harness.package.serve_settings import ServeSettings
from harness.phases.outcome import Status
from harness.runners.base import Mount

PROGRAM = Path(__file__).resolve().parent / "program.py"
# What the program may report before it is ready; any other "failure" line is a protocol error.
FAILURES = frozenset(
    {
        Status.NO_SAVEDMODEL,
        Status.MODEL_UNREADABLE,
        Status.INPUT_SIZE_MISMATCH,
        Status.LABELS_MISMATCH,
        Status.SERVE_SETTINGS_INVALID,
    }
)


def served_command(settings: ServeSettings, classes: Sequence[str]) -> tuple[str, ...]:
    """`python program.py <settings and class names as JSON>`, with the runner's Python."""
    arguments = {"settings": settings.to_dict(), "classes": list(classes)}
    return ("python", str(PROGRAM), json.dumps(arguments, ensure_ascii=False))


def served_mount() -> Mount:
    """The program's folder, read-only, at the same path."""
    return Mount(PROGRAM.parent)
