"""./run_online.sh in auto mode with a real engine: the image used, or built, or the fallback."""

from __future__ import annotations

import json
import tomllib

import pytest
from docker_support import ROOT
from phase_support import TOYS

from harness.data.demo import make_image_set

pytestmark = pytest.mark.docker

# Upper case is not allowed in a repository name, so the build fails at once on any
# machine (a real base image would be pulled from a registry where one is reachable).
UNBUILDABLE_IMAGE = "OnlineSim/unbuildable:test"
UNBUILDABLE_CPU = "OnlineSim/unbuildable-cpu:test"


@pytest.fixture
def data(tmp_path):
    return make_image_set(tmp_path / "data", ("cardboard", "glass", "纸箱"), 20, size=32)


def _report(root) -> dict:
    (path,) = (root / "runs").glob("*/report.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_auto_uses_docker_when_the_image_is_there(online_checkout, project_image, data):
    args = ("--submission", str(TOYS / "constant"), "--data", str(data))
    result = online_checkout.run(*args, "--docker-image", project_image)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "onlinesim: runner docker (auto: " in result.stdout
    report = _report(online_checkout.root)
    assert report["runner"]["name"] == "docker"
    assert f"image {project_image}" in report["runner"]["enforcement"]["notes"][0]


def test_auto_falls_back_to_processes_when_no_image_can_be_built(online_checkout, data, engine):
    args = ("--submission", str(TOYS / "constant"), "--data", str(data))
    unbuildable = {
        "ONLINESIM_DOCKER_IMAGE": UNBUILDABLE_IMAGE,
        "ONLINESIM_CPU_IMAGE": UNBUILDABLE_CPU,
    }
    result = online_checkout.run(*args, **unbuildable)
    assert result.returncode == 0, result.stdout + result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("run_online: ")]
    assert said[0].startswith(f"run_online: building the missing image {UNBUILDABLE_IMAGE} ")
    assert said[1].startswith(f"run_online: {UNBUILDABLE_IMAGE} could not be built (")
    assert f"building the CPU image {UNBUILDABLE_CPU} instead" in said[1]
    assert said[2].startswith(
        f"run_online: runner process: building {UNBUILDABLE_CPU} failed too: "
    )
    assert "onlinesim: runner process (as set)" in result.stdout
    assert _report(online_checkout.root)["runner"]["name"] == "process"


@pytest.mark.timeout(3600)
def test_auto_runs_the_reference_submission_in_the_cpu_image(online_checkout, cpu_image, data):
    """The default GPU image cannot be built here: the CPU image is used, and said why."""
    env = {"ONLINESIM_DOCKER_IMAGE": UNBUILDABLE_IMAGE, "ONLINESIM_CPU_IMAGE": cpu_image}
    # This repository's harness, also where .venv's editable install points at another checkout.
    result = online_checkout.run("--data", str(data), PYTHONPATH=str(ROOT), **env)
    assert result.returncode == 0, result.stdout + result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith("run_online: ")]
    assert said[1].startswith(
        f"run_online: image {cpu_image} (CPU, local Debian base): "
        f"{UNBUILDABLE_IMAGE} could not be built ("
    )
    assert said[2] == f"run_online: submission submission, data {data}, profile smoke"
    assert "onlinesim: runner docker (auto: " in result.stdout
    report = _report(online_checkout.root)
    assert report["runner"]["name"] == "docker"
    assert f"image {cpu_image}" in report["runner"]["enforcement"]["notes"][0]
    assert (
        report["submission"]["name"]
        == tomllib.loads((ROOT / "submission" / "submission.toml").read_text(encoding="utf-8"))[
            "name"
        ]
    )
    assert report["verdict"]["passed"], report["verdict"]
