"""Which runner a run uses when set to `auto`, and the sentence the report gives for it."""

from __future__ import annotations

from harness.runners import RUNNERS, check_runner_name

AUTO = "auto"


def _docker_ready(image: str) -> tuple[bool, str]:
    """An engine answers and holds the project image: only then can auto pick docker."""
    from docker import errors as docker_errors

    from harness.runners.docker import DockerRunner, docker_available

    available, reason = docker_available()
    if not available:
        return False, reason
    runner = DockerRunner(image)
    try:
        runner.client.images.get(runner.image)
    except docker_errors.ImageNotFound:
        return False, f"{reason}, but the image {runner.image!r} is not built (docs/docker.md)"
    return True, f"{reason} and has the image {runner.image!r}"


def runner_choices() -> tuple[str, ...]:
    """Every name the `runner` setting may take: the registry's, and auto."""
    return (*RUNNERS, AUTO)


def choose_runner(name: str, docker_image: str) -> tuple[str, str]:
    """The runner to use and why: `auto` means docker when it is ready here, else process."""
    if check_runner_name(name, AUTO) != AUTO:
        return name, f"runner {name} (as set)"
    ready, reason = _docker_ready(docker_image)
    if ready:
        return "docker", f"runner docker (auto: {reason})"
    return "process", f"runner process (auto: {reason})"
