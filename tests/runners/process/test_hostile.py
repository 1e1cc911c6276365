"""Hostile toys (tests/toys/hostile/) under the process runner: each gets its status, and
the user's files stay byte-identical."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from harness.phases import run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits

HOSTILE = Path(__file__).resolve().parents[2] / "toys" / "hostile"


def _checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def user_files(run_folder, tmp_path):
    """The user's own data: a labelled copy of the staged images, outside every mount."""
    copy = tmp_path / "users_labelled_copy"
    shutil.copytree(run_folder.train_dir, copy)
    before = (_checksums(copy), _checksums(run_folder.train_dir))
    yield copy
    assert (_checksums(copy), _checksums(run_folder.train_dir)) == before


def _train(run_folder, runner, toy: str, limits: Limits | None = None, **env: str):
    spec = run_folder.train_spec("constant", limits, **env)
    for name in (f"{toy}.py", "_verdict.py"):
        shutil.copy(HOSTILE / name, spec.workdir / name)
    spec = dataclasses.replace(spec, command=("python", f"{toy}.py"))
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    return outcome, run_folder.layout.log("train").read_text(encoding="utf-8")


@pytest.mark.parametrize("toy", ["unmount_data", "block_device", "raise_capability"])
def test_a_hostile_train_is_blocked(run_folder, runner, user_files, toy):
    outcome, log = _train(run_folder, runner, toy)
    assert outcome.status is Status.OK, log
    assert "hostile blocked" in log


def test_a_labelled_copy_elsewhere_on_disk_is_invisible(run_folder, runner, user_files):
    image = next(p for p in user_files.rglob("*") if p.is_file())
    outcome, log = _train(run_folder, runner, "find_labelled_copy", TOY_COPY=str(image))
    assert outcome.status is Status.OK, log


def test_host_unix_sockets_are_out_of_reach(run_folder, runner, user_files, tmp_path):
    path = Path("/tmp") / f"onlinesim-hostile-{os.getpid()}.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        try:
            outcome, log = _train(run_folder, runner, "host_sockets", TOY_SOCKET=str(path))
        finally:
            path.unlink()
    assert outcome.status is Status.OK, log


def test_writes_outside_its_places_never_reach_the_host(run_folder, runner, user_files):
    marker = f"onlinesim-hostile-{os.getpid()}"
    targets = [Path("/dev/shm") / marker, Path("/tmp") / marker, user_files / "cardboard" / "x"]
    targets.append(Path("/etc") / marker)
    toy_targets = ":".join(map(str, targets))
    outcome, log = _train(run_folder, runner, "write_outside", TOY_TARGETS=toy_targets)
    assert outcome.status is Status.OK, log
    assert not any(t.exists() for t in targets)


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_a_preloaded_library_acts_only_inside_the_sandbox(run_folder, runner, user_files):
    package = run_folder.package("constant")
    library = package / "preload.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(library), str(HOSTILE / "preload.c")], check=True
    )
    mark = Path("/tmp") / f"onlinesim-preload-{os.getpid()}"
    inside = run_folder.model_dir / "preload-mark"
    outcome, log = _train(
        run_folder,
        runner,
        "block_device",
        LD_PRELOAD=str(library),
        ONLINESIM_PRELOAD_MARK=str(mark),
    )
    assert outcome.status is Status.OK, log
    assert not mark.exists()  # the host's /tmp: the constructor saw only the private one
    outcome, log = _train(
        run_folder,
        runner,
        "block_device",
        LD_PRELOAD=str(library),
        ONLINESIM_PRELOAD_MARK=str(inside),
    )
    assert inside.read_text().count("preloaded") >= 1  # it did run, in the command only


@pytest.mark.parametrize("kind", ["memfd", "shm"])
def test_shared_memory_past_the_limit_is_out_of_memory(run_folder, runner, user_files, kind):
    limits = Limits(memory_bytes=256 * 2**20)
    outcome, log = _train(
        run_folder, runner, "shared_memory_hog", limits, TOY_KIND=kind, TOY_MIB="512"
    )
    assert outcome.status is Status.OUT_OF_MEMORY, log
    assert "escaped" not in log


def test_forking_past_the_process_limit_is_refused(run_folder, runner, user_files):
    limits = Limits(pids=32)
    outcome, log = _train(run_folder, runner, "fork_bomb", limits, TOY_FORKS="200")
    assert outcome.status is Status.OK, log
    assert "fork refused" in log


def test_a_setsid_daemon_does_not_outlive_its_phase(run_folder, runner, user_files):
    outcome, log = _train(run_folder, runner, "setsid_daemon")
    assert outcome.status is Status.OK, log
    mark = run_folder.model_dir / "daemon"
    size = mark.stat().st_size
    time.sleep(0.5)
    assert mark.stat().st_size == size
    assert not [
        p
        for p in psutil.process_iter(["cmdline"])
        if "setsid_daemon.py" in " ".join(p.info["cmdline"] or [])
    ]
