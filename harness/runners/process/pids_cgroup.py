"""A pids cgroup per phase, where one can be made (root, cgroup v1 or v2 with `pids`).

RLIMIT_NPROC is not enough as root: bubblewrap keeps the phase's host uid
(root), and the kernel charges root's processes to its exempt global count,
so the limit set on the phase is never checked. A pids cgroup counts every
process and thread the phase starts, whoever it runs as.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

HIERARCHIES = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified"))
# The shell puts itself in the cgroup, then becomes the command: nothing runs outside it.
JOIN = 'echo $$ > "$0/cgroup.procs" && exec "$@"'


def create(limit: int) -> Path | None:
    """A new cgroup holding at most `limit` tasks; None where none can be made."""
    for hierarchy in HIERARCHIES:
        if not (hierarchy / "cgroup.procs").exists():
            continue
        group = hierarchy / f"onlinesim-{uuid.uuid4().hex[:12]}"
        try:
            group.mkdir()
        except OSError:
            continue
        try:
            (group / "pids.max").write_text(str(limit))
            return group
        except OSError:
            group.rmdir()
    return None


def joined(group: Path, argv: list[str]) -> list[str]:
    """`argv` started inside `group`."""
    return ["/bin/sh", "-c", JOIN, str(group), *argv]


def remove(group: Path) -> None:
    """Remove the cgroup once its processes are gone (a busy one is left to the next try)."""
    try:
        os.rmdir(group)
    except OSError:
        pass
