"""The runner interface: where a phase's program executes.

Staging, the phase protocols, scoring and reporting only talk to these types,
so a process runner and a docker runner are interchangeable. Every path in a
PhaseSpec is a host path, and a runner shows it to the phase at the same path
(the docker runner bind-mounts each path onto itself), so nothing translates
paths.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar


@dataclass(frozen=True)
class Mount:
    """A host path the phase may see, at the same path; read-only unless writable."""

    path: Path
    writable: bool = False


@dataclass(frozen=True)
class Limits:
    """What the phase runs under; None means not limited."""

    memory_bytes: int | None = None
    network: bool = False
    gpu: bool = False
    pids: int | None = 4096
    shm_bytes: int | None = None
    gpu_memory_bytes: int | None = None
    disk_bytes: int | None = None  # what the phase may write in its writable places
    cpus: tuple[int, ...] | None = None  # the CPU ids the phase is pinned to; None: all


@dataclass(frozen=True)
class PhaseSpec:
    """Everything a runner needs to start one phase's program.

    `hidden`: host folders the phase must not see at all (the user's data set,
    other runs), except the mounts inside them. A runner that shows only the
    mounts anyway (docker) has nothing more to do for it.
    """

    phase: str
    command: tuple[str, ...]
    workdir: Path
    env: dict[str, str]
    mounts: tuple[Mount, ...]
    limits: Limits
    log_path: Path
    interactive: bool = False
    hidden: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ResourceSample:
    """One reading of the phase's whole process tree (or container)."""

    t: float
    memory_bytes: int
    cpu_percent: float
    gpu_memory_bytes: int | None = None
    gpu_utilization: float | None = None


@dataclass(frozen=True)
class ExitInfo:
    """How the phase's program ended, in the runner's own terms."""

    exit_code: int | None
    signal: int | None = None
    killed_for_memory: bool = False
    stopped_by_harness: bool = False
    peak_memory_bytes: int | None = None  # what the memory limit is enforced on
    peak_working_set_bytes: int | None = None  # without reclaimable page cache; comparable
    gpu_memory_exceeded: bool = False  # with killed_for_memory: the GPU limit, not the host's
    peak_gpu_memory_bytes: int | None = None  # None: no GPU was measured
    disk_limit_exceeded: bool = False  # killed for writing more than Limits.disk_bytes
    log_cut: bool = False  # the output passed the log's size limit and the rest was not kept
    missing_program: str | None = None  # the command's program, when it was not found to start
    sample_error: str | None = None  # on_sample failed: no more samples, the limits still held


@dataclass(frozen=True)
class Enforcement:
    """What this runner really enforces on this machine; the report states it."""

    memory: bool
    network: bool
    read_only_data: bool
    gpu: bool
    notes: tuple[str, ...] = field(default_factory=tuple)
    gpu_memory: bool = False


SampleCallback = Callable[[ResourceSample], None]


class RunningPhase(abc.ABC):
    """A started phase. Interactive phases expose stdin/stdout as JSON-line pipes."""

    @abc.abstractmethod
    def send_line(self, line: str) -> None:
        """Write one line to the program's stdin; BrokenPipeError if it is gone."""

    @abc.abstractmethod
    def read_line(self, timeout_s: float) -> str | None:
        """Next stdout line, None if none came in time.

        EOFError once stdout closed and the program ended (a closed stdout of a
        program still running is silence, as a container shows it); LineTooLong
        for a line over the protocol's length limit.
        """

    @abc.abstractmethod
    def close_stdin(self) -> None:
        """Tell the program that no more requests come."""

    @abc.abstractmethod
    def wait(self, timeout_s: float | None) -> ExitInfo | None:
        """Wait for the program to end; None if it is still running after timeout_s."""

    @abc.abstractmethod
    def stop(self, grace_s: float) -> ExitInfo:
        """Terminate, wait grace_s, then kill everything the phase started."""


class Runner(abc.ABC):
    """Starts phases under limits. Registered by name in harness.runners."""

    name: ClassVar[str]

    @abc.abstractmethod
    def enforcement(self, limits: Limits) -> Enforcement:
        """What of `limits` this runner can enforce here, with plain notes."""

    def prepare(self, spec: PhaseSpec) -> str | None:
        """Make ready what `launch` needs, before the phase's clock starts.

        The platform installed a package's requirements before its budget began,
        so that work must not be charged to the phase. Returns what was prepared
        (shown in the report), or None when this runner needs nothing.
        """
        return None

    @abc.abstractmethod
    def launch(self, spec: PhaseSpec, on_sample: SampleCallback | None = None) -> RunningPhase:
        """Start the phase's program; on_sample receives resource readings."""
