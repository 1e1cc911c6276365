"""The harness stopped mid-phase (SIGINT, SIGTERM) leaves nothing running and an interrupted report.

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
from docker_support import ROOT

from harness.runners.docker import LABEL

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


TOY_FOR_PHASE = {"train": "sleep_forever", "predict": "too_slow"}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("runner", ["process", "docker"])
@pytest.mark.parametrize("phase", ["train", "predict"])
def test_stopped_mid_phase(phase, runner, signum, tmp_path, three_class_set, base_image, engine):
    runs = tmp_path / "runs"
    harness = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "simulate",
            "--submission",
            str(ROOT / "tests" / "toys" / TOY_FOR_PHASE[phase]),
            "--data",
            str(three_class_set),
            "--profile",
            "smoke",
            "--runner",
            runner,
            "--docker-image",
            base_image,
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
    harness.send_signal(signum)
    output = harness.communicate(timeout=60)[0].decode()
    assert harness.returncode == 130, output
    (report_path,) = runs.glob("*/report.json")
    report = json.loads(report_path.read_text())
    assert report["phases"][phase]["status"] == "interrupted"
    assert report["verdict"]["passed"] is False
    assert _running_from(runs) == []
    assert engine.containers.list(all=True, filters={"label": f"{LABEL}.phase={phase}"}) == []
