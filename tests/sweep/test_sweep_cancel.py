"""Ctrl-C on a sweep: every task cancelled, its phases stopped, Ray shut down, nothing left.
The docker runner's case is tests/runners/docker/test_sweep_cancel_docker.py."""

from __future__ import annotations

import pytest
from sweep_support import interrupted_sweep

pytestmark = pytest.mark.slow  # a real Ray instance started by a real command


def test_ctrl_c_cancels_every_task_and_leaves_no_process(toys_dir, three_class_set, tmp_path):
    runs = tmp_path / "runs"
    reports = interrupted_sweep(
        toys_dir / "sleep_forever", three_class_set, runs, ["--runner", "process"]
    )
    assert reports, "a cancelled rehearsal still writes its report"
    assert {report["phases"]["train"]["status"] for report in reports} == {"interrupted"}
