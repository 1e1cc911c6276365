"""A phase's program that does not exist is said to be missing, not merely "exit 1".

Without the check a missing program reads as bubblewrap's `execvp` line and
exit code 1 under the process runner, or as the engine's OCI error under
docker; the reason a user reads should name the program and say it was not
found, the same under both runners.
"""

from __future__ import annotations

import shutil
from pathlib import Path


class ProgramNotFound(OSError):
    """The command's program is neither in the package nor on the phase's PATH."""

    def __init__(self, program: str) -> None:
        super().__init__(
            f"the program '{program}' was not found (not in the package, not on the phase's PATH)"
        )
        self.program = program


def check_program(command: tuple[str, ...], workdir: Path, path: str) -> None:
    """Raise ProgramNotFound unless `command[0]` is there: a path (with a slash,
    relative to `workdir`) that is a file, or a name found on `path`."""
    if not command:
        return
    program = command[0]
    if "/" in program:
        found = (workdir / program).is_file()
    else:
        found = shutil.which(program, path=path) is not None
    if not found:
        raise ProgramNotFound(program)


def init_says_not_found(stderr_tail: str, program: str) -> bool:
    """Whether the container's init (tini, `init=True`) failed to exec `program`:
    it then prints `exec <program> failed: No such file or directory` and exits 127."""
    return f"exec {program} failed: No such file or directory" in stderr_tail


def engine_says_not_found(explanation: str) -> bool:
    """Whether the engine's start error is about the program (not the work dir or a mount)."""
    text = explanation.lower()
    return "executable file not found" in text or (
        "exec:" in text and "no such file or directory" in text
    )
