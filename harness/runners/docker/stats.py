"""A container's resource use: samples while it runs, and its peak memory.

Two peaks are kept: the raw one (the cgroup's usage, page cache included, the
figure the memory limit is enforced on) and the working set (usage minus the
inactive file cache, as `docker stats` shows it), which leaves out cache the
kernel would reclaim before an OOM kill, as the process runner's PSS does.

The engine's stats come about once a second, too seldom for a short phase or
for the moment before an OOM kill; when the engine runs on this host, its
cgroup's own files are read as well, often, until the container exits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docker import APIClient
from docker import errors as docker_errors

from harness.runners.base import ResourceSample, SampleCallback

# A poll reads three files, about 0.16 ms on the 2-core dev machine under load (under 1 %
# of a core at this rate); the files vanish soon after the exit, so it polls often.
CGROUP_POLL_S = 0.02


@dataclass(frozen=True)
class CgroupFiles:
    """Where one cgroup layout keeps a container's memory: its folder, peak and usage files."""

    folder: str
    peak: str
    usage: str


# Where the engine's cgroup keeps a container's memory, when this is the engine's host:
# cgroup v1 and v2, cgroupfs and systemd drivers. `memory.stat` is beside them in each.
CGROUP_LAYOUTS = (
    CgroupFiles(
        "/sys/fs/cgroup/memory/docker/{id}", "memory.max_usage_in_bytes", "memory.usage_in_bytes"
    ),
    CgroupFiles(
        "/sys/fs/cgroup/memory/system.slice/docker-{id}.scope",
        "memory.max_usage_in_bytes",
        "memory.usage_in_bytes",
    ),
    CgroupFiles("/sys/fs/cgroup/docker/{id}", "memory.peak", "memory.current"),
    CgroupFiles("/sys/fs/cgroup/system.slice/docker-{id}.scope", "memory.peak", "memory.current"),
)


def working_set(usage: int, memory_stat: Mapping[str, int]) -> int:
    """Usage minus the inactive file cache, as `docker stats` computes it (cgroup v1 or v2)."""
    inactive = memory_stat.get("total_inactive_file", memory_stat.get("inactive_file", 0))
    return max(usage - inactive, 0)


def parse_memory_stat(text: str) -> dict[str, int]:
    """A cgroup `memory.stat` file as a dict of its counters."""
    counters = {}
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if value.strip().isdigit():
            counters[name] = int(value)
    return counters


class ResourceWatch:
    """Follows one container's stats and cgroup files until `exited` is set."""

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
        self._lock = threading.Lock()  # two followers note readings
        self._raw_peak: int | None = None
        self._working_set_peak: int | None = None

    def peak_memory(self) -> int | None:
        """The highest raw usage either source saw (page cache included), None when none."""
        return self._raw_peak

    def peak_working_set(self) -> int | None:
        """The highest working set either source saw, None when none."""
        return self._working_set_peak

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
        """Read the container's cgroup until it exits: phases too short for stats."""
        layouts = [(Path(layout.folder.format(id=self._id)), layout) for layout in CGROUP_LAYOUTS]
        while not self._exited.is_set():
            for folder, layout in layouts:
                try:
                    peak = int((folder / layout.peak).read_text())
                    usage = int((folder / layout.usage).read_text())
                    memory_stat = parse_memory_stat((folder / "memory.stat").read_text())
                except (OSError, ValueError):
                    continue
                self._note(max(peak, usage), working_set(usage, memory_stat))
                break
            self._exited.wait(CGROUP_POLL_S)

    def _note(self, raw: int, in_use: int) -> None:
        with self._lock:
            self._raw_peak = max(self._raw_peak or 0, raw)
            self._working_set_peak = max(self._working_set_peak or 0, in_use)

    def _record(self, stats: dict[str, Any]) -> None:
        memory = stats.get("memory_stats") or {}
        if "usage" not in memory:
            return
        in_use = working_set(memory["usage"], memory.get("stats") or {})
        self._note(max(memory.get("max_usage", 0), memory["usage"]), in_use)
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
