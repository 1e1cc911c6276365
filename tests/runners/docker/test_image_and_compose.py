"""The project's Dockerfile, an end-to-end simulation in containers, and compose for real."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from docker_support import ROOT
from packaging.requirements import Requirement
from phase_support import TOYS

from harness.data.demo import make_image_set
from harness.runners.docker import DockerRunner

pytestmark = pytest.mark.docker


def _run(argv: list[str], env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def test_image_pins_satisfy_the_harness_dependency_ranges():
    ranges = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {}
    for line in (ROOT / "docker" / "requirements-harness.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{line}: the image pins exact versions"
            pins[requirement.name] = spec.version
    for text in ranges:
        requirement = Requirement(text)
        assert requirement.name in pins, f"{requirement.name} is not pinned for the image"
        assert requirement.specifier.contains(pins[requirement.name]), text


def test_project_image_runs_the_harness_as_a_non_root_user(project_image, engine):
    script = (
        "id -u; onlinesim --help | head -n 1; ls /run/secrets 2>/dev/null | wc -l; "
        "env | grep -c PIP_CERT; python -c 'import numpy, PIL, psutil, docker, matplotlib'"
    )
    output = engine.containers.run(
        project_image, ["sh", "-c", script], network_mode="none", remove=True
    ).decode()
    uid, usage, secrets, pip_cert = output.split("\n")[:4]
    assert uid == "1000"
    assert usage.startswith("usage: onlinesim")
    assert secrets == "0" and pip_cert == "0", "the build's CA secret must not stay in the image"


@pytest.fixture
def smoke_data(tmp_path: Path) -> Path:
    return make_image_set(tmp_path / "data", ("cardboard", "glass", "纸箱"), 20, size=32)


def _report(runs: Path) -> dict:
    (report,) = runs.glob("*/report.json")
    return json.loads(report.read_text(encoding="utf-8"))


def test_smoke_simulation_runs_in_containers(project_image, smoke_data, tmp_path):
    runs = tmp_path / "runs"
    env = {**os.environ, "ONLINESIM_DOCKER_IMAGE": project_image}
    argv = [sys.executable, "-m", "harness", "simulate", "--runner", "docker"]
    argv += ["--profile", "smoke", "--submission", str(TOYS / "centroid")]
    argv += ["--data", str(smoke_data), "--runs-dir", str(runs)]
    result = _run(argv, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "runner docker" in result.stdout
    report = _report(runs)
    assert report["runner"]["name"] == "docker"
    assert f"image {project_image}" in report["runner"]["enforcement"]["notes"][0]
    assert {name: phase["status"] for name, phase in report["phases"].items()} == {
        "train": "ok",
        "predict": "ok",
    }
    assert report["verdict"]["passed"]


def _compose_env(project_image: str, data: Path, runs: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COMPOSE_PROJECT_NAME": "onlinesimtest",
        "ONLINESIM_DOCKER_IMAGE": project_image,
        "ONLINESIM_SUBMISSION": str(TOYS / "centroid"),
        "ONLINESIM_DATA": str(data),
        "ONLINESIM_RUNS": str(runs),
        "ONLINESIM_PROFILE": "smoke",
        "ONLINESIM_MEMORY": "2g",
        "ONLINESIM_UID": str(os.getuid()),
        "ONLINESIM_GID": str(os.getgid()),
    }


def test_compose_config_gives_the_gpu_service_its_gpu_and_limits(
    project_image, smoke_data, tmp_path, compose_v2
):
    """`docker compose config`, as the README has it: the service the mission names."""
    env = _compose_env(project_image, smoke_data, tmp_path / "runs")
    result = _run([*compose_v2, "config", "--format", "json"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    service = json.loads(result.stdout)["services"]["simulate"]
    (device,) = service["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
    assert service["network_mode"] == "none" and service["mem_limit"] == str(2 * 2**30)
    assert service["image"] == project_image
    assert service["command"][:2] == ["onlinesim", "simulate"]


def test_compose_up_simulate_cpu_runs_a_smoke_rehearsal(
    project_image, smoke_data, tmp_path, compose_v2
):
    """`docker compose --profile cpu up simulate-cpu`, literally, to a pass."""
    runs = tmp_path / "runs"
    runs.mkdir()
    env = _compose_env(project_image, smoke_data, runs)
    try:
        result = _run([*compose_v2, "--profile", "cpu", "up", "simulate-cpu"], env)
    finally:
        _run([*compose_v2, "--profile", "cpu", "down"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict  PASSED" in result.stdout
    report = _report(runs)
    assert report["runner"]["name"] == "process"  # inside the container, the container is the limit
    assert report["verdict"]["passed"]
    (run_dir,) = runs.iterdir()
    assert run_dir.stat().st_uid == os.getuid()


@pytest.mark.timeout(3600)
def test_compose_cpu_service_runs_the_reference_submission(
    cpu_image, smoke_data, tmp_path, compose_v2
):
    """The CPU image has TensorFlow and Keras: the reference submission passes inside it."""
    runs = tmp_path / "runs"
    runs.mkdir()
    env = _compose_env(cpu_image, smoke_data, runs)
    env |= {"ONLINESIM_SUBMISSION": str(ROOT / "submission"), "ONLINESIM_MEMORY": "6g"}
    try:
        result = _run([*compose_v2, "--profile", "cpu", "up", "simulate-cpu"], env, timeout=1200)
    finally:
        _run([*compose_v2, "--profile", "cpu", "down"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verdict  PASSED" in result.stdout, result.stdout
    report = _report(runs)
    assert report["submission"]["name"] == "garbage-keras"
    assert {name: phase["status"] for name, phase in report["phases"].items()} == {
        "train": "ok",
        "predict": "ok",
    }


def test_compose_gpu_service_needs_an_nvidia_runtime(
    project_image, smoke_data, tmp_path, engine, compose_v2
):
    """Without the NVIDIA runtime the engine refuses the GPU service and names the driver."""
    runs = tmp_path / "runs"
    runs.mkdir()
    env = _compose_env(project_image, smoke_data, runs)
    up = [*compose_v2, "up", "--no-build", "--abort-on-container-exit", "--exit-code-from"]
    up += ["simulate", "simulate"]
    try:
        result = _run(up, env)
    finally:
        _run([*compose_v2, "down"], env)
    if "nvidia" in (engine.info().get("Runtimes") or {}):
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode != 0
        assert 'could not select device driver "nvidia"' in result.stdout + result.stderr


def test_a_submission_requirements_file_becomes_a_cached_layer(project_image, run_folder, engine):
    runner = DockerRunner(image=project_image)
    spec = run_folder.train_spec("constant")
    (spec.workdir / "requirements.txt").write_text("six==1.16.0\n")
    spec = dataclasses.replace(
        spec, command=("python", "-c", "import six; print('six', six.__version__)")
    )
    tags = set()
    try:
        prepared = runner.prepare(spec)
        tags.add(prepared)
        info = runner.launch(spec).wait(120)
        assert info is not None and info.exit_code == 0, spec.log_path.read_text()
        assert "six 1.16.0" in spec.log_path.read_text()
        tag = runner.submission_image(spec.workdir / "requirements.txt")
        assert tag == prepared
        assert tag.startswith("onlinesim-submission:")
        image_id = engine.images.get(tag).id
        assert runner.submission_image(spec.workdir / "requirements.txt") == tag
        assert engine.images.get(tag).id == image_id
        (spec.workdir / "requirements.txt").write_text("six==1.16.0\n# edited\n")
        edited = runner.submission_image(spec.workdir / "requirements.txt")
        tags.add(edited)
        assert edited != tag
    finally:
        for built in tags:
            engine.images.remove(built)


def test_simulate_builds_the_requirements_layer_before_the_train_clock(
    project_image, smoke_data, tmp_path, engine
):
    """The image named by --docker-image alone; the pip layer is built outside the budget."""
    package = shutil.copytree(TOYS / "centroid", tmp_path / "package")
    (package / "requirements.txt").write_text("six==1.16.0\n# simulate prepares this\n")
    runs = tmp_path / "runs"
    env = {k: v for k, v in os.environ.items() if k != "ONLINESIM_DOCKER_IMAGE"}
    argv = [sys.executable, "-m", "harness", "simulate", "--runner", "docker"]
    argv += ["--docker-image", project_image, "--profile", "smoke", "--set", "train_budget_s=20"]
    argv += ["--submission", str(package), "--data", str(smoke_data), "--runs-dir", str(runs)]
    result = _run(argv, env)
    report = _report(runs)
    prepared = report["phases"]["train"]["details"].get("prepared")
    try:
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"image {project_image}" in report["runner"]["enforcement"]["notes"][0]
        assert prepared.startswith("onlinesim-submission:")
        assert report["phases"]["predict"]["details"]["prepared"] == prepared
        assert report["phases"]["train"]["details"]["prepare_s"] > 0
        assert report["phases"]["train"]["wall_s"] < 20
    finally:
        if prepared:
            engine.images.remove(prepared)


def test_ctrl_c_during_a_simulation_leaves_no_container(base_image, smoke_data, tmp_path, engine):
    env = {**os.environ, "ONLINESIM_DOCKER_IMAGE": base_image}
    argv = [sys.executable, "-m", "harness", "simulate", "--runner", "docker", "--profile"]
    argv += ["smoke", "--submission", str(TOYS / "sleep_forever"), "--data", str(smoke_data)]
    argv += ["--runs-dir", str(tmp_path / "runs")]
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # A shell may start this with SIGINT ignored; a terminal's Ctrl-C is not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    label = {"label": "onlinesim.phase=train"}
    deadline = time.monotonic() + 60
    while not engine.containers.list(filters=label) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert engine.containers.list(filters=label), "the train container never started"
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 130, output
    assert "interrupted" in output
    assert engine.containers.list(all=True, filters=label) == []
