"""The containers this process started, removed however the phase ends.

A phase removes its own container; a Ctrl-C or a crash can skip that, so every
container is tracked until removed and an atexit hook removes what is left.
"""

from __future__ import annotations

import atexit
import threading

import docker
from docker import errors as docker_errors

_live_containers: dict[str, docker.DockerClient] = {}
_live_lock = threading.Lock()


def track(client: docker.DockerClient, container_id: str) -> None:
    """Remember a created container until `remove_container` removes it."""
    with _live_lock:
        _live_containers[container_id] = client


def remove_container(client: docker.DockerClient, container_id: str) -> None:
    """Remove the container, running or not; one already gone is no error."""
    try:
        client.api.remove_container(container_id, force=True)
    except docker_errors.NotFound:
        pass
    except docker_errors.APIError as error:
        if "already in progress" not in str(error):
            raise
    with _live_lock:
        _live_containers.pop(container_id, None)


@atexit.register
def _remove_leftover_containers() -> None:
    """Containers whose phase never reached its own clean-up (Ctrl-C, a crash)."""
    with _live_lock:
        leftovers = list(_live_containers.items())
    for container_id, client in leftovers:
        try:
            remove_container(client, container_id)
        except docker_errors.DockerException:
            pass
