"""A real Docker engine, a base image built from Debian packages, and a run folder.

The engine and the images come from the project's own scripts, so the tests
exercise them too: scripts/ensure_docker.sh (installs and starts dockerd as
root when none answers), docker/build_base_image.sh (debootstrap + docker
import, cached) and docker/build_image.sh (the project's Dockerfile). When no
engine can be had, every test here fails with the script's message.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import docker
import pytest
from docker_support import ROOT
from phase_support import RunFolder, make_run_folder

from harness.runners.docker import LABEL, DockerRunner
from harness.runners.process.runner import ProcessRunner

PROJECT_IMAGE = "onlinesim:test"
CPU_IMAGE = "onlinesim:cpu-test"


def _script(*argv: str) -> str:
    result = subprocess.run(
        [str(ROOT / argv[0]), *argv[1:]], capture_output=True, text=True, timeout=1200
    )
    if result.returncode != 0:
        pytest.fail(
            f"{argv[0]} failed (exit {result.returncode}); the docker tests need a Docker "
            f"engine:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout.strip()


@pytest.fixture(scope="session")
def engine() -> docker.DockerClient:
    _script("scripts/ensure_docker.sh")
    return docker.from_env()


@pytest.fixture(scope="session")
def compose_v2(engine: docker.DockerClient) -> list[str]:
    """`docker compose` (v2) as the README types it; scripts/ensure_compose.sh installs it."""
    _script("scripts/ensure_compose.sh")
    return ["docker", "compose"]


@pytest.fixture(scope="session")
def base_image(engine: docker.DockerClient) -> str:
    """Debian + python3, numpy, Pillow: all the toys need."""
    return _script("docker/build_base_image.sh").splitlines()[-1]


@pytest.fixture(scope="session")
def project_image(base_image: str, engine: docker.DockerClient) -> str:
    """The project's Dockerfile on the local base, harness only (no TensorFlow)."""
    args = ("--base", base_image, "--tag", PROJECT_IMAGE, "--no-submission-deps")
    try:
        previous = engine.images.get(PROJECT_IMAGE).id
    except docker.errors.ImageNotFound:
        previous = None
    tag = _script("docker/build_image.sh", *args).splitlines()[-1]
    if previous not in (None, engine.images.get(tag).id):
        _remove_image(engine, previous)  # the last run's build, untagged now
    return tag


@pytest.fixture(scope="session")
def cpu_image(engine: docker.DockerClient) -> str:
    """The CPU online image: the Dockerfile on the local base with TensorFlow and Keras."""
    return _script("docker/build_cpu_image.sh", "--tag", CPU_IMAGE).splitlines()[-1]


def _remove_image(engine: docker.DockerClient, image: str) -> None:
    """Remove an image of ours unless something still uses it."""
    try:
        engine.images.remove(image)
    except docker.errors.APIError:
        pass


def labelled_containers(engine: docker.DockerClient) -> list[str]:
    found = engine.containers.list(all=True, filters={"label": f"{LABEL}=1"})
    return sorted(c.name for c in found)


@pytest.fixture(autouse=True)
def no_container_left(engine: docker.DockerClient):
    """Every test must leave no container of ours behind, whatever happened."""
    before = labelled_containers(engine)
    yield
    assert labelled_containers(engine) == before


@pytest.fixture(scope="session")
def docker_runner(base_image: str) -> DockerRunner:
    return DockerRunner(image=base_image)


@pytest.fixture(scope="session")
def process_runner() -> ProcessRunner:
    return ProcessRunner(sample_interval_s=0.05)


@pytest.fixture
def run_folder(tmp_path: Path) -> RunFolder:
    return make_run_folder(tmp_path)
