"""Ctrl-C on a real sweep, shared by the process runner's test and the docker runner's."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
START_DEADLINE_S = 120  # Ray's start and the first rehearsal's staging, on two busy cores


def _first_train_log(runs: Path, driver: subprocess.Popen) -> Path:
    """The first rehearsal's train log, once its phase runs (the sweep's own progress)."""
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline and driver.poll() is None:
        found = sorted(runs.glob("*/logs/train.log"))
        if found:
            return found[0]
        time.sleep(0.2)
    driver.kill()
    raise AssertionError(f"no rehearsal started: {driver.communicate()}")


def _names(processes: list[psutil.Process]) -> set[str]:
    """Names of the processes still alive: a short-lived child may exit between the listing
    and the read of its name."""
    names = set()
    for process in processes:
        try:
            names.add(process.name())
        except psutil.NoSuchProcess:
            pass
    return names


def interrupted_sweep(submission: Path, data: Path, runs: Path, runner_args: list[str]) -> list:
    """Starts a 3-seed sweep of `submission`, sends Ctrl-C once a phase runs, checks the
    driver's exit and that Ray's processes and the phases are gone; returns the reports."""
    driver = subprocess.Popen(
        [sys.executable, "-m", "harness", "sweep", "--submission", str(submission),
         "--data", str(data), "--runs-dir", str(runs), "--seeds", "3", *runner_args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _first_train_log(runs, driver)
    family = psutil.Process(driver.pid).children(recursive=True)
    assert {"raylet", "gcs_server"} <= _names(family)
    driver.send_signal(signal.SIGINT)
    out, err = driver.communicate(timeout=120)
    assert driver.returncode == 130, (out, err)
    assert "onlinesim: interrupted" in err
    _gone, alive = psutil.wait_procs(family, timeout=30)
    assert alive == [], [(p.pid, p.name()) for p in alive]
    assert not (runs / "sweeps").exists()  # no summary of a sweep that did not end
    return [
        json.loads((run / "report.json").read_text(encoding="utf-8"))
        for run in runs.iterdir()
        if (run / "report.json").is_file()
    ]
