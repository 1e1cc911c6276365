"""The online round's predict side in containers: served prediction and the phase's resources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from docker_support import ROOT
from phase_support import TOYS, seen_by_toy

from harness.settings.run_layout import RunLayout

pytestmark = pytest.mark.docker


def _simulate(image: str, toy: Path, data: Path, runs: Path, *sets: str) -> tuple[dict, Path]:
    """`onlinesim simulate --runner docker --profile smoke` in a subprocess, on `image`."""
    env = {**os.environ, "ONLINESIM_DOCKER_IMAGE": image}
    argv = [sys.executable, "-m", "harness", "simulate", "--runner", "docker"]
    argv += ["--profile", "smoke", "--submission", str(toy), "--data", str(data)]
    argv += ["--runs-dir", str(runs), *(f"--set={s}" for s in sets)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    (report,) = runs.glob("*/report.json")
    return json.loads(report.read_text(encoding="utf-8")), report.parent


def test_the_contest_fixture_passes_smoke_served_in_a_container(
    cpu_image, three_class_set, tmp_path
):
    """Train exports the SavedModel with TensorFlow, then the harness's served program reads
    it with OpenVINO inside the container, as the platform did."""
    report, _ = _simulate(cpu_image, TOYS / "contest_savedmodel", three_class_set, tmp_path)
    assert report["runner"]["name"] == "docker"
    assert report["phases"]["predict"]["status"] == "ok"
    assert report["submission"]["predict_served"]["serve"] == "savedmodel"
    assert report["score"]["accuracy"] >= 80


def test_predict_in_a_container_sees_no_gpu_and_only_its_cpus(
    base_image, three_class_set, tmp_path
):
    """The online profile's predict side (no GPU, a CPU count below the machine's), as the
    program in the container sees it: the cpuset shows in its affinity."""
    sets = ("predict_gpu=0", "predict_cpus=1")
    report, run = _simulate(
        base_image, TOYS / "reports_resources", three_class_set, tmp_path, *sets
    )
    every_cpu = sorted(os.sched_getaffinity(0))
    train = seen_by_toy(RunLayout(run).log("train"))
    predict = seen_by_toy(RunLayout(run).log("predict"))
    assert train["cpus"] == every_cpu
    assert predict["cpus"] == every_cpu[:1]
    assert predict["cuda_visible_devices"] in (None, "") and predict["nvidia_devices"] == []
    assert report["phases"]["predict"]["details"]["resources"]["gpu"] is False
