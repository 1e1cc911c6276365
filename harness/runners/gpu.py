"""GPU accounting through NVML: what the submission's processes hold on the GPU.

The contest ran on one GPU whose memory limit nobody published, so the harness
measures the submission's GPU memory (by process id, summed over devices) and
the utilisation of the devices it runs on, and can fail a run over a
user-chosen limit. Every function degrades to "no GPU" (None or an empty list)
when there is no NVIDIA driver, no device, or NVML refuses a query (one refused
query, such as utilisation on a MIG slice, makes the whole reading None): a
machine without a GPU is normal, not an error.

Process ids are the ones NVML sees (the host's PID namespace). A runner whose
processes live in another PID namespace (a container) must pass host pids.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pynvml


@dataclass(frozen=True)
class GpuDevice:
    """One device as NVML describes it; shown in the report's environment."""

    index: int
    name: str
    memory_total_bytes: int
    driver_version: str


@dataclass(frozen=True)
class GpuUsage:
    """The submission's share of the GPUs at one moment."""

    memory_bytes: int
    utilization_percent: float


@dataclass(frozen=True)
class DeviceReading:
    """One device at one moment: memory per pid and device-wide utilisation."""

    memory_by_pid: dict[int, int]
    utilization_percent: float


@functools.cache
def _nvml_ready() -> bool:
    """Initialise NVML (at every call: NVML counts them, no shutdown is ever made); False when
    no driver or device answers."""
    try:
        pynvml.nvmlInit()
        return pynvml.nvmlDeviceGetCount() > 0
    except pynvml.NVMLError:
        return False


def granted_gpu_ids() -> tuple[str, ...] | None:
    """The GPUs a scheduler granted this harness process, by CUDA_VISIBLE_DEVICES (Ray sets it
    per task); None when it is unset or empty, so nothing narrowed the choice."""
    ids = tuple(i.strip() for i in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(","))
    return tuple(i for i in ids if i) or None


def gpu_available() -> bool:
    """True when NVML works and sees at least one device."""
    return _nvml_ready()


def devices() -> list[GpuDevice]:
    """The NVIDIA devices on this machine; empty without driver or device."""
    if not _nvml_ready():
        return []
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        found = []
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            found.append(
                GpuDevice(
                    index=index,
                    name=_text(pynvml.nvmlDeviceGetName(handle)),
                    memory_total_bytes=int(pynvml.nvmlDeviceGetMemoryInfo(handle).total),
                    driver_version=driver,
                )
            )
        return found
    except pynvml.NVMLError:
        return []


def gpu_usage(pids: Collection[int]) -> GpuUsage | None:
    """GPU memory held by `pids` and the busiest utilisation among their devices.

    None when there is no GPU to ask, so callers record "no GPU" rather than 0.
    """
    if not _nvml_ready():
        return None
    try:
        readings = [_read_device(index) for index in range(pynvml.nvmlDeviceGetCount())]
    except pynvml.NVMLError:
        return None
    return usage_from_readings(readings, pids)


def usage_from_readings(readings: Iterable[DeviceReading], pids: Collection[int]) -> GpuUsage:
    """Sum the pids' memory over devices; utilisation of the devices they use.

    Utilisation is device-wide (NVML's per-process figure is not supported on
    every GPU), so it is only counted on devices where one of the pids holds
    memory: another user's job on another device must not show as ours.
    """
    wanted = set(pids)
    memory = 0
    utilization = 0.0
    for reading in readings:
        ours = [used for pid, used in reading.memory_by_pid.items() if pid in wanted]
        if ours:
            memory += sum(ours)
            utilization = max(utilization, reading.utilization_percent)
    return GpuUsage(memory_bytes=memory, utilization_percent=utilization)


def gpu_limit_exceeded(usage: GpuUsage | None, limit_bytes: int | None) -> bool:
    """True when a limit is set and the measured usage is above it."""
    if usage is None or limit_bytes is None:
        return False
    return usage.memory_bytes > limit_bytes


def _read_device(index: int) -> DeviceReading:
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    memory_by_pid: dict[int, int] = {}
    for query in (
        pynvml.nvmlDeviceGetComputeRunningProcesses,
        pynvml.nvmlDeviceGetGraphicsRunningProcesses,
    ):
        for process in query(handle):
            # usedGpuMemory is None where the driver cannot attribute memory.
            pid, used = int(process.pid), process.usedGpuMemory or 0
            memory_by_pid[pid] = max(memory_by_pid.get(pid, 0), used)
    utilization = float(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu)
    return DeviceReading(memory_by_pid=memory_by_pid, utilization_percent=utilization)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
