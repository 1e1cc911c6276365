"""The harness stopped mid-train (SIGINT, SIGTERM) leaves nothing running and an interrupted report.

A real `python -m harness simulate` subprocess runs the sleep_forever toy under
each runner; once its train log exists, the signal comes.
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


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("runner", ["process", "docker"])
def test_stopped_mid_train(runner, signum, tmp_path, three_class_set, base_image, engine):
    runs = tmp_path / "runs"
    harness = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness",
            "simulate",
            "--submission",
            str(ROOT / "tests" / "toys" / "sleep_forever"),
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
    while not list(runs.glob("*/logs/train.log")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    harness.send_signal(signum)
    output = harness.communicate(timeout=60)[0].decode()
    assert harness.returncode == 130, output
    (report_path,) = runs.glob("*/report.json")
    report = json.loads(report_path.read_text())
    assert report["phases"]["train"]["status"] == "interrupted"
    assert report["verdict"]["passed"] is False
    assert _running_from(runs) == []
    assert engine.containers.list(all=True, filters={"label": f"{LABEL}.phase=train"}) == []
