"""Runner registry: where a phase's program executes, chosen by name.

The docker runner is imported only when asked for, so the process runner
works on machines without the Docker SDK or engine.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from harness.errors import UserError
from harness.runners.base import Runner


def _process() -> type[Runner]:
    from harness.runners.process.runner import ProcessRunner

    return ProcessRunner


def _docker() -> type[Runner]:
    return importlib.import_module("harness.runners.docker").DockerRunner


DOCKER_IMAGE_ENV = "ONLINESIM_DOCKER_IMAGE"
DEFAULT_DOCKER_IMAGE = "onlinesim:latest"


def default_docker_image() -> str:
    """The docker runner's image when none is named: $ONLINESIM_DOCKER_IMAGE, else the default."""
    return os.environ.get(DOCKER_IMAGE_ENV) or DEFAULT_DOCKER_IMAGE


RUNNERS: dict[str, Callable[[], type[Runner]]] = {"process": _process, "docker": _docker}


def create_runner(name: str, **options) -> Runner:
    """A runner by registry name; options go to its constructor."""
    if name not in RUNNERS:
        raise UserError(
            f"unknown runner {name!r}",
            hint=f"choose one of: {', '.join(sorted(RUNNERS))}",
        )
    return RUNNERS[name]()(**options)
