"""Ctrl-C on a sweep: every task cancelled, its phases stopped, Ray shut down, nothing left."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

REPO = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 120  # Ray's start and the first rehearsal's staging, on two busy cores

pytestmark = pytest.mark.slow  # a real Ray instance started by a real command


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


def test_ctrl_c_cancels_every_task_and_leaves_no_process(toys_dir, three_class_set, tmp_path):
    runs = tmp_path / "runs"
    driver = subprocess.Popen(
        [sys.executable, "-m", "harness", "sweep", "--submission", str(toys_dir / "sleep_forever"),
         "--data", str(three_class_set), "--runs-dir", str(runs), "--seeds", "3",
         "--runner", "process"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _first_train_log(runs, driver)
    family = psutil.Process(driver.pid).children(recursive=True)
    assert {"raylet", "gcs_server"} <= {process.name() for process in family}
    driver.send_signal(signal.SIGINT)
    out, err = driver.communicate(timeout=120)
    assert driver.returncode == 130, (out, err)
    assert "onlinesim: interrupted" in err
    _gone, alive = psutil.wait_procs(family, timeout=30)
    assert alive == [], [(p.pid, p.name()) for p in alive]
    reports = [
        json.loads((run / "report.json").read_text(encoding="utf-8"))
        for run in runs.iterdir()
        if (run / "report.json").is_file()
    ]
    assert reports, "a cancelled rehearsal still writes its report"
    assert {report["phases"]["train"]["status"] for report in reports} == {"interrupted"}
    assert not (runs / "sweeps").exists()  # no summary of a sweep that did not end
