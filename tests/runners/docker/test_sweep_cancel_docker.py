"""Ctrl-C on a sweep whose rehearsals run in containers: no container of ours is left."""

from __future__ import annotations

import pytest
from docker_support import gone_within
from sweep_support import interrupted_sweep

from harness.runners.docker import LABEL

pytestmark = pytest.mark.docker


def test_ctrl_c_on_a_docker_sweep_leaves_no_container(
    engine, base_image, toys_dir, three_class_set, tmp_path
):
    runs = tmp_path / "runs"
    reports = interrupted_sweep(
        toys_dir / "sleep_forever",
        three_class_set,
        runs,
        ["--runner", "docker", "--docker-image", base_image],
    )
    # Ours, running or stopped. A task Ray cancels by force loses its worker, and the
    # watcher removes that worker's containers a moment after (it once was killed with it).
    ours = {"label": f"{LABEL}=1"}
    assert gone_within(lambda: engine.containers.list(all=True, filters=ours)) == []
    assert reports, "a cancelled rehearsal still writes its report"
    assert {report["phases"]["train"]["status"] for report in reports} == {"interrupted"}
