"""ensure_docker.sh and build_base_image.sh: idempotent, and plain when they cannot work."""

from __future__ import annotations

import os
import subprocess

import pytest
from docker_support import ROOT

pytestmark = pytest.mark.docker

# As root, drop to nobody to see the non-root path; a non-root CI user already is.
NOT_ROOT = (
    ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.getuid() == 0 else []
)


def _run(argv: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, **env}
    )


def test_ensure_docker_does_nothing_when_an_engine_answers(engine):
    result = _run([str(ROOT / "scripts" / "ensure_docker.sh")])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_ensure_docker_without_root_and_engine_says_what_to_do(engine):
    argv = NOT_ROOT + [str(ROOT / "scripts" / "ensure_docker.sh")]
    result = _run(argv, DOCKER_HOST="unix:///nonexistent/docker.sock")
    assert result.returncode == 1
    assert "not root" in result.stderr and "sudo scripts/ensure_docker.sh" in result.stderr


def test_base_image_is_reused_and_printed(base_image, engine):
    result = _run([str(ROOT / "docker" / "build_base_image.sh")])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == base_image
    assert "debootstrap" not in result.stderr  # the image was there: nothing rebuilt
    assert engine.images.get(base_image).id == engine.images.get("onlinesim-base:latest").id
