"""The hostile toys' cases (tests/toys/hostile/), one table for both runners.

`tests/runners/process/test_hostile.py` runs every case under the process
runner, `tests/runners/docker/test_hostile_toys.py` under the docker runner.
Each case asserts the phase's status and what reached the host; the
`user_files` fixture (a labelled copy of the staged images, outside every
mount, and the staged images themselves) checks that they stay byte-identical.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import psutil
import pytest
from phase_support import CLASSES

from harness.phases import PredictLimits, run_predict, run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits

HOSTILE = Path(__file__).resolve().parent / "toys" / "hostile"
FAST_PREDICT = PredictLimits(setup_s=20.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=1.0)


def checksums(folder: Path) -> dict[str, str]:
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
    before = (checksums(copy), checksums(run_folder.train_dir))
    yield copy
    assert (checksums(copy), checksums(run_folder.train_dir)) == before


def train_toy(run_folder, runner, toy: str, limits: Limits | None = None, **env: str):
    """Train with tests/toys/hostile/<toy>.py as the command; the outcome and the log."""
    spec = run_folder.train_spec("constant", limits, **env)
    for name in (f"{toy}.py", "_verdict.py"):
        shutil.copy(HOSTILE / name, spec.workdir / name)
    spec = dataclasses.replace(spec, command=("python", f"{toy}.py"))
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    return outcome, (run_folder.root / "logs" / "train.log").read_text(encoding="utf-8")


def blocked_outright(toy: str, run_folder, runner, user_files) -> None:
    outcome, log = train_toy(run_folder, runner, toy)
    assert outcome.status is Status.OK, log
    assert "hostile blocked" in log


def labelled_copy_invisible(run_folder, runner, user_files) -> None:
    image = next(p for p in user_files.rglob("*") if p.is_file())
    outcome, log = train_toy(run_folder, runner, "find_labelled_copy", TOY_COPY=str(image))
    assert outcome.status is Status.OK, log


def host_sockets_out_of_reach(run_folder, runner, user_files) -> None:
    path = Path("/tmp") / f"onlinesim-hostile-{os.getpid()}.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        server.listen()
        try:
            outcome, log = train_toy(run_folder, runner, "host_sockets", TOY_SOCKET=str(path))
        finally:
            path.unlink()
    assert outcome.status is Status.OK, log


def writes_never_reach_the_host(run_folder, runner, user_files) -> None:
    marker = f"onlinesim-hostile-{os.getpid()}"
    targets = [Path("/dev/shm") / marker, Path("/tmp") / marker, user_files / "cardboard" / "x"]
    targets.append(Path("/etc") / marker)
    toy_targets = ":".join(map(str, targets))
    outcome, log = train_toy(run_folder, runner, "write_outside", TOY_TARGETS=toy_targets)
    assert outcome.status is Status.OK, log
    assert not any(t.exists() for t in targets)


def preload_acts_only_inside(run_folder, runner, user_files) -> None:
    package = run_folder.package("constant")
    library = package / "preload.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-o", str(library), str(HOSTILE / "preload.c")], check=True
    )
    mark = Path("/tmp") / f"onlinesim-preload-{os.getpid()}"
    inside = run_folder.model_dir / "preload-mark"
    preload = {"LD_PRELOAD": str(library)}
    outcome, log = train_toy(
        run_folder, runner, "block_device", **preload, ONLINESIM_PRELOAD_MARK=str(mark)
    )
    assert outcome.status is Status.OK, log
    assert not mark.exists()  # the host's /tmp: the constructor saw only the phase's own
    outcome, log = train_toy(
        run_folder, runner, "block_device", **preload, ONLINESIM_PRELOAD_MARK=str(inside)
    )
    assert inside.read_text().count("preloaded") >= 1  # it did run, in the command only


def shared_memory_past_the_limit(kind: str, run_folder, runner, user_files) -> None:
    # /dev/shm larger than the memory limit: its size is not what stops the hog
    limits = Limits(memory_bytes=256 * 2**20, shm_bytes=2**30)
    outcome, log = train_toy(
        run_folder, runner, "shared_memory_hog", limits, TOY_KIND=kind, TOY_MIB="512"
    )
    assert outcome.status is Status.OUT_OF_MEMORY, log
    assert "escaped" not in log


def forking_past_the_limit_refused(run_folder, runner, user_files) -> None:
    outcome, log = train_toy(run_folder, runner, "fork_bomb", Limits(pids=32), TOY_FORKS="200")
    assert outcome.status is Status.OK, log
    assert "fork refused" in log


def filling_the_disk_is_out_of_disk(phase: str, run_folder, runner, user_files) -> None:
    limits = Limits(disk_bytes=32 * 2**20)
    toy = "hostile/output_and_disk"
    if phase == "train":
        spec = run_folder.train_spec(toy, limits, TOY_DO="fill_disk")
        outcome = run_train(runner, spec, 60, 1, run_folder.model_dir)
    else:
        trained = run_train(runner, run_folder.train_spec("constant"), 60, 1, run_folder.model_dir)
        assert trained.status is Status.OK, trained.reason
        spec = run_folder.predict_spec(toy, limits, TOY_DO="fill_disk")
        outcome, _ = run_predict(runner, spec, run_folder.requests, CLASSES, FAST_PREDICT)
    assert outcome.status is Status.OUT_OF_DISK, outcome.reason


def setsid_daemon_gone(run_folder, runner, user_files) -> None:
    outcome, log = train_toy(run_folder, runner, "setsid_daemon")
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


def program_outside_the_package(run_folder, runner, user_files) -> None:
    """`..` in the command (the manifest refuses it; here it comes past that): the phase
    sees only its own package copy, so the script outside is not there."""
    spec = run_folder.train_spec("constant")
    outside = spec.workdir.parent / "outside.py"
    outside.write_text("print('hostile escaped: ran outside the package')\n")
    spec = dataclasses.replace(spec, command=("python", "../outside.py"))
    outcome = run_train(runner, spec, 30, 1, run_folder.model_dir)
    log = spec.log_path.read_text(encoding="utf-8")
    assert outcome.status is Status.CRASHED, log
    assert "escaped" not in log


CASES: dict[str, Callable] = {
    "unmount_data": partial(blocked_outright, "unmount_data"),
    "block_device": partial(blocked_outright, "block_device"),
    "raise_capability": partial(blocked_outright, "raise_capability"),
    "labelled_copy": labelled_copy_invisible,
    "host_sockets": host_sockets_out_of_reach,
    "write_outside": writes_never_reach_the_host,
    "preload": preload_acts_only_inside,
    "memfd": partial(shared_memory_past_the_limit, "memfd"),
    "shm": partial(shared_memory_past_the_limit, "shm"),
    "fork_bomb": forking_past_the_limit_refused,
    "fill_disk_train": partial(filling_the_disk_is_out_of_disk, "train"),
    "fill_disk_predict": partial(filling_the_disk_is_out_of_disk, "predict"),
    "setsid_daemon": setsid_daemon_gone,
    "dotdot_program": program_outside_the_package,
}
