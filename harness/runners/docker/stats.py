"""A container's resource use: samples while it runs, and its peak memory.

The engine's stats come about once a second, too seldom for a short phase or
for the moment before an OOM kill; when the engine runs on this host, its
cgroup's own peak is read as well, often, until the container exits.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from docker import APIClient
from docker import errors as docker_errors

from harness.runners.base import ResourceSample, SampleCallback

# Where the engine's cgroup keeps a container's peak memory, when this is the engine's
# host: cgroup v1 and v2, cgroupfs and systemd drivers.
CGROUP_POLL_S = 0.02  # a read costs microseconds; the files vanish soon after the exit
CGROUP_PEAK_FILES = (
    "/sys/fs/cgroup/memory/docker/{id}/memory.max_usage_in_bytes",
    "/sys/fs/cgroup/memory/system.slice/docker-{id}.scope/memory.max_usage_in_bytes",
    "/sys/fs/cgroup/docker/{id}/memory.peak",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.peak",
)


class ResourceWatch:
    """Follows one container's stats and cgroup peak until `exited` is set."""

    def __init__(
        self,
        api: APIClient,
        container_id: str,
        exited: threading.Event,
        on_sample: SampleCallback | None,
    ) -> None:
        self._api = api
        self._id = container_id
        self._exited = exited
        self._on_sample = on_sample
        self._stats_peak: int | None = None
        self._cgroup_peak: int | None = None

    def peak_memory(self) -> int | None:
        """The highest memory either source saw, None when neither saw any."""
        readings = [p for p in (self._stats_peak, self._cgroup_peak) if p is not None]
        return max(readings) if readings else None

    def follow_stats(self) -> None:
        """Record the engine's stats stream; ends by itself once the container is gone."""
        try:
            for stats in self._api.stats(self._id, stream=True, decode=True):
                if self._exited.is_set():
                    return
                self._record(stats)
        except docker_errors.DockerException:
            pass

    def watch_cgroup_peak(self) -> None:
        """Read the container's cgroup peak until it exits: phases too short for stats."""
        files = [Path(pattern.format(id=self._id)) for pattern in CGROUP_PEAK_FILES]
        while not self._exited.is_set():
            for path in files:
                try:
                    peak = int(path.read_text())
                except (OSError, ValueError):
                    continue
                self._cgroup_peak = max(self._cgroup_peak or 0, peak)
                break
            self._exited.wait(CGROUP_POLL_S)

    def _record(self, stats: dict[str, Any]) -> None:
        memory = stats.get("memory_stats") or {}
        if "usage" not in memory:
            return
        details = memory.get("stats") or {}
        in_use = memory["usage"] - details.get(
            "total_inactive_file", details.get("inactive_file", 0)
        )
        peak = max(memory.get("max_usage", 0), in_use)
        self._stats_peak = max(self._stats_peak or 0, peak)
        if self._on_sample is not None:
            self._on_sample(
                ResourceSample(t=time.time(), memory_bytes=in_use, cpu_percent=cpu_percent(stats))
            )


def cpu_percent(stats: dict[str, Any]) -> float:
    """CPU use since the previous reading, 100 per busy core (as `docker stats` shows)."""
    cpu, pre = stats.get("cpu_stats") or {}, stats.get("precpu_stats") or {}
    try:
        used = cpu["cpu_usage"]["total_usage"] - pre["cpu_usage"]["total_usage"]
        elapsed = cpu["system_cpu_usage"] - pre["system_cpu_usage"]
    except KeyError:
        return 0.0
    cores = cpu.get("online_cpus") or len(cpu["cpu_usage"].get("percpu_usage") or [1])
    return 100.0 * used / elapsed * cores if elapsed > 0 else 0.0
