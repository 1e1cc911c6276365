"""Runner registry: where a phase's program executes, chosen by name.

The registry owns the runner names: the `runner` setting is any name, and
`check_runner_name` (through `choose_runner`) refuses one that is not here.
The docker runner is imported only when asked for, so the process runner
works on machines without the Docker SDK or engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from harness.errors import UserError
from harness.runners.base import Runner


def _process() -> type[Runner]:
    from harness.runners.process.runner import ProcessRunner

    return ProcessRunner


def _docker() -> type[Runner]:
    return importlib.import_module("harness.runners.docker").DockerRunner


RUNNERS: dict[str, Callable[[], type[Runner]]] = {"process": _process, "docker": _docker}


def check_runner_name(name: str, *others: str) -> str:
    """`name` when the registry (or `others`, such as "auto") has it; a UserError listing them."""
    if name not in RUNNERS and name not in others:
        raise UserError(
            f"unknown runner {name!r}",
            hint=f"choose one of: {', '.join(sorted([*RUNNERS, *others]))}",
        )
    return name


def create_runner(name: str, **options) -> Runner:
    """A runner by registry name; options go to its constructor."""
    return RUNNERS[check_runner_name(name)]()(**options)
