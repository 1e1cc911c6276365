"""The missing-program check, and the engine's start errors it must tell apart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.runners.program import ProgramNotFound, check_program, engine_says_not_found


def test_a_name_on_path_and_a_file_in_the_package_are_found(tmp_path: Path):
    (tmp_path / "run.sh").write_text("#!/bin/sh\n")
    path = str(Path(sys.executable).parent)
    check_program((Path(sys.executable).name, "train.py"), tmp_path, path)
    check_program(("./run.sh",), tmp_path, path)


@pytest.mark.parametrize("program", ["nonexistent-tool", "./nonexistent.sh", "bin"])
def test_a_missing_program_says_so(tmp_path: Path, program: str):
    (tmp_path / "bin").mkdir()
    with pytest.raises(ProgramNotFound, match=f"'{program}' was not found"):
        check_program((program,), tmp_path, str(tmp_path / "empty"))


def test_engine_errors_about_the_program_and_about_the_rest():
    program = (
        "failed to create task for container: failed to create shim task: OCI runtime create "
        "failed: runc create failed: unable to start container process: exec: "
        '"nonexistent-tool": executable file not found in $PATH: unknown'
    )
    path = 'unable to start container process: exec: "./x": stat ./x: no such file or directory'
    workdir = 'unable to start container process: chdir to cwd ("/w"): no such file or directory'
    assert engine_says_not_found(program) and engine_says_not_found(path)
    assert not engine_says_not_found(workdir)
