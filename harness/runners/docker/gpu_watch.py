"""A container's GPU memory and utilisation, and the GPU memory limit the engine cannot set.

The engine limits host memory but knows no GPU memory limit, so the runner
measures the container the way the process runner measures its tree: NVML's
memory per host process id (harness.runners.gpu), for the container's processes as
the engine's `top` lists them. `top` runs ps on the engine's host, so its
pids are host pids, the ones NVML reports; an engine on another machine
(DOCKER_HOST=tcp://...) lists pids that mean other processes here.

One `top` costs the engine several ms of CPU (it starts ps; measured in
docs/docker.md), so a reading comes every `interval_s` (0.5 s, under 2 % of
a core), not every 0.1 s as in the process runner; a faster allocation can
overshoot the limit by one interval.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from docker import APIClient
from docker import errors as docker_errors

from harness.runners.docker.engine import ENGINE_TIMEOUT_S
from harness.runners.gpu import GpuUsage, gpu_limit_exceeded
from harness.runners.process.monitor import DroppedOnFailure, GpuReader

GPU_INTERVAL_S = 0.5


def container_pids(api: APIClient, container_id: str) -> list[int] | None:
    """The container's processes as host pids; None once it is stopped or gone."""
    try:
        listing = api.top(container_id, ps_args="-o pid")
    except docker_errors.DockerException:  # NotFound, or a conflict: "is not running"
        return None
    column = listing["Titles"].index("PID")
    return [int(row[column]) for row in listing.get("Processes") or []]


class GpuWatch:
    """Reads one container's GPU use on its own thread, from `start` until `stop` or the limit.

    `latest` is the last reading and `peak_memory_bytes` the highest (both None
    while no GPU was seen). A reading over `limit_bytes` sets `crossed` and
    calls `on_limit` once (the phase kills the container there); reading ends.
    `stop` returns once the thread has ended, so what the exit reports (the
    peak, whether the limit was crossed) cannot change after it.
    """

    def __init__(
        self,
        api: APIClient,
        container_id: str,
        reader: GpuReader,
        limit_bytes: int | None,
        on_limit: Callable[[], None],
        interval_s: float = GPU_INTERVAL_S,
    ) -> None:
        self._api = api
        self._id = container_id
        self._read = DroppedOnFailure(reader)
        self._limit_bytes = limit_bytes
        self._on_limit = on_limit
        self._interval_s = interval_s
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="docker-gpu-watch", daemon=True)
        self.latest: GpuUsage | None = None
        self.peak_memory_bytes: int | None = None
        self.crossed = False

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the reading (the container has exited) and wait for the thread to finish.

        A reading under way ends within one engine call (`top`), bounded by the
        client's timeout.
        """
        self._ended.set()
        if self._thread.is_alive():
            self._thread.join(ENGINE_TIMEOUT_S)

    def _follow(self) -> None:
        while self._read.working and not self._ended.is_set():
            pids = container_pids(self._api, self._id)
            if pids is None:
                return
            usage = self._read(pids)
            if usage is not None:
                self.latest = usage
                self.peak_memory_bytes = max(self.peak_memory_bytes or 0, usage.memory_bytes)
            if gpu_limit_exceeded(usage, self._limit_bytes):
                self.crossed = True
                self._on_limit()
                return
            self._ended.wait(self._interval_s)
