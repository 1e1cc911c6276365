"""The image a phase runs in: the online image, or it plus the submission's requirements.

The platform installed a submission's requirements.txt before its budget began;
this builds that layer once per content, with BuildKit so the host's CA bundle
reaches pip as a secret the image does not keep.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import docker
from docker import errors as docker_errors

from harness.errors import UserError
from harness.settings.table import DOCKER_IMAGE_ENV

SUBMISSION_REPO = "onlinesim-submission"
CA_BUNDLE = Path(os.environ.get("ONLINESIM_BUILD_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
# The per-submission layer: the online image plus the submission's requirements.txt.
# The installer script is the online image's (see Dockerfile), so TensorFlow stays.
SUBMISSION_DOCKERFILE = """\
FROM {image}
COPY requirements.txt /tmp/onlinesim-requirements.txt
USER root
RUN --mount=type=secret,id=ca_bundle onlinesim-install-requirements /tmp/onlinesim-requirements.txt
"""


def check_image(client: docker.DockerClient, image: str) -> None:
    """A UserError saying how to build the online image when the engine lacks it."""
    try:
        client.images.get(image)
    except docker_errors.ImageNotFound as error:
        raise UserError(
            f"the docker image {image!r} does not exist on this engine",
            hint="build it with docker/build_image.sh (see docs/docker.md), "
            f"or name another image with --docker-image or {DOCKER_IMAGE_ENV}",
        ) from error


def image_for(client: docker.DockerClient, image: str, workdir: Path) -> str:
    """The phase's image: with the package's requirements layer when it has a non-empty file."""
    requirements = workdir / "requirements.txt"
    if requirements.is_file() and requirements.read_text(encoding="utf-8").strip():
        return submission_image(client, image, requirements)
    return image


def submission_image(client: docker.DockerClient, image: str, requirements: Path) -> str:
    """`image` with the requirements installed, built once per content.

    Tagged by a hash of the online image's id and the file's bytes, so a rerun
    with the same requirements reuses the layer and an edit rebuilds it.
    """
    base_id = client.images.get(image).id
    digest = hashlib.sha256(base_id.encode() + requirements.read_bytes()).hexdigest()
    tag = f"{SUBMISSION_REPO}:{digest[:16]}"
    try:
        client.images.get(tag)
        return tag
    except docker_errors.ImageNotFound:
        pass
    with tempfile.TemporaryDirectory(prefix="onlinesim-layer-") as context:
        shutil.copy(requirements, Path(context) / "requirements.txt")
        dockerfile = Path(context) / "Dockerfile"
        dockerfile.write_text(SUBMISSION_DOCKERFILE.format(image=image))
        argv = [*_buildkit_command(), "--tag", tag, "--file", str(dockerfile)]
        if CA_BUNDLE.is_file():
            argv += ["--secret", f"id=ca_bundle,src={CA_BUNDLE}"]
        built = subprocess.run(
            [*argv, context],
            capture_output=True,
            text=True,
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )
    if built.returncode != 0:
        raise UserError(
            f"installing the submission's {requirements.name} into {image} failed:\n"
            + "\n".join((built.stdout + built.stderr).strip().splitlines()[-15:]),
            hint="fix the requirements (pinned versions that exist for the image's Python)",
        )
    return tag


def _buildkit_command() -> list[str]:
    """A `docker build` that has BuildKit: the buildx plugin, else a client with it built in."""
    if subprocess.run(["docker", "buildx", "version"], capture_output=True).returncode == 0:
        return ["docker", "buildx", "build", "--load"]
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        client = Path(folder) / "docker"
        if not os.access(client, os.X_OK):
            continue
        probe = subprocess.run(
            [str(client), "build", "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )
        if probe.returncode == 0 and "--secret" in probe.stdout:
            return [str(client), "build"]
    raise UserError(
        "no docker client here can build with BuildKit, which the submission's layer needs",
        hint="install the docker buildx plugin",
    )
