"""Connecting to the Docker engine, and saying whether one answers.

Kept apart so `--runner auto` can ask about an engine without building a runner,
and so every caller turns an unreachable engine into the same plain message.
"""

from __future__ import annotations

import docker
from docker import errors as docker_errors

from harness.errors import UserError

ENGINE_TIMEOUT_S = 30
START_HINT = (
    "start an engine (as root: scripts/ensure_docker.sh), or use the process runner "
    "(--runner process)"
)


def docker_available() -> tuple[bool, str]:
    """Whether a Docker engine answers here, and a sentence saying which or why not."""
    try:
        client = docker.from_env(timeout=5)
        version = client.version().get("Version", "unknown")
        client.close()
    except docker_errors.DockerException as error:
        return False, f"no Docker engine answers ({first_line(error)}); {START_HINT}"
    return True, f"Docker engine {version} answers"


def connect() -> docker.DockerClient:
    """A client to an engine that answered a ping; a UserError when none does."""
    try:
        client = docker.from_env(timeout=ENGINE_TIMEOUT_S)
        client.ping()
    except docker_errors.DockerException as error:
        raise UserError(
            f"the docker runner needs a Docker engine, and none answers: {first_line(error)}",
            hint=START_HINT,
        ) from error
    return client


def first_line(error: Exception) -> str:
    """The engine's errors can run to many lines; a message needs the first."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
