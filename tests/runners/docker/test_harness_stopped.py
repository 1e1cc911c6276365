"""The harness stopped mid-phase leaves nothing running: SIGINT and SIGTERM with an
interrupted report, SIGKILL (no clean-up of its own) through the phase's parent-death
signal (process runner) and the container watcher (docker runner).

A real `python -m harness simulate` subprocess runs a toy under each runner:
sleep_forever for train, too_slow (1 s per image) for predict; a second after
the phase's log appears, the signal comes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from docker_support import ROOT, gone_within

from harness.runners.docker import LABEL
from harness.runners.docker.watcher import OWNER_LABEL

pytestmark = pytest.mark.docker


def _running_from(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "cwd"]):
        try:
            text = " ".join(process.info["cmdline"] or []) + " " + (process.info["cwd"] or "")
        except psutil.Error:
            continue
        if str(folder) in text:
            found.append(process)
    return found


def _containers_over(engine, folder: Path) -> list[str]:
    """Our containers (running or not) with a mount inside `folder`."""
    found = []
    for container in engine.containers.list(all=True, filters={"label": f"{LABEL}=1"}):
        if any(m["Source"].startswith(str(folder)) for m in container.attrs["Mounts"]):
            found.append(container.name)
    return found


TOY_FOR_PHASE = {"train": "sleep_forever", "predict": "too_slow"}


def _start_mid_phase(phase: str, runner: str, runs: Path, data: Path, image: str):
    """A harness subprocess, returned a second after the phase's log appeared."""
    harness = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "simulate",
            "--submission",
            str(ROOT / "tests" / "toys" / TOY_FOR_PHASE[phase]),
            "--data",
            str(data),
            "--profile",
            "smoke",
            "--runner",
            runner,
            "--docker-image",
            image,
            "--runs-dir",
            str(runs),
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while not list(runs.glob(f"*/logs/{phase}.log")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    return harness


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("runner", ["process", "docker"])
@pytest.mark.parametrize("phase", ["train", "predict"])
def test_stopped_mid_phase(phase, runner, signum, tmp_path, three_class_set, base_image, engine):
    runs = tmp_path / "runs"
    harness = _start_mid_phase(phase, runner, runs, three_class_set, base_image)
    harness.send_signal(signum)
    output = harness.communicate(timeout=60)[0].decode()
    assert harness.returncode == 130, output
    (report_path,) = runs.glob("*/report.json")
    report = json.loads(report_path.read_text())
    assert report["phases"][phase]["status"] == "interrupted"
    assert report["verdict"]["passed"] is False
    assert _running_from(runs) == []
    assert engine.containers.list(all=True, filters={"label": f"{LABEL}.phase={phase}"}) == []


@pytest.mark.parametrize("runner", ["process", "docker"])
def test_a_sigkilled_harness_leaves_nothing_running(
    runner, tmp_path, three_class_set, base_image, engine
):
    runs = tmp_path / "runs"
    harness = _start_mid_phase("train", runner, runs, three_class_set, base_image)
    phase_processes = _running_from(runs)
    assert phase_processes, "the phase was not running when the harness was killed"
    if runner == "docker":
        assert _containers_over(engine, tmp_path)
    helpers = [p for p in psutil.Process(harness.pid).children() if p not in phase_processes]
    if runner == "docker":
        watcher = _watcher_of(engine, tmp_path)
        assert watcher not in helpers  # no child of the harness, so it outlives these:
        for helper in helpers:  # as Ray kills a worker it cancels by force, children first
            helper.kill()
        helpers.append(watcher)
    harness.kill()
    harness.communicate(timeout=30)
    assert gone_within(lambda: _running_from(runs)) == []
    assert gone_within(lambda: _containers_over(engine, tmp_path)) == []
    assert gone_within(lambda: [p for p in helpers if p.is_running()]) == []  # the watcher too


def _watcher_of(engine, folder: Path) -> psutil.Process:
    """The watcher process of the harness whose container mounts `folder`: the one
    started with that container's owner token."""
    (name,) = _containers_over(engine, folder)
    token = engine.containers.get(name).labels[OWNER_LABEL]
    (watcher,) = [p for p in psutil.process_iter(["cmdline"]) if token in (p.info["cmdline"] or [])]
    return watcher
