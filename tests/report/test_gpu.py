"""GPU accounting: the machine's real NVML answer, and the arithmetic on fixed readings."""

from __future__ import annotations

import os
import subprocess
import sys

import pynvml

from harness.runners import gpu
from harness.runners.gpu import DeviceReading, GpuUsage, gpu_limit_exceeded, usage_from_readings


def _driver_present() -> bool:
    """Asked of NVML directly, apart from harness.runners.gpu, so the two can disagree and fail."""
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return False
    try:
        return pynvml.nvmlDeviceGetCount() > 0
    finally:
        pynvml.nvmlShutdown()


def test_gpu_usage_matches_what_this_machine_has():
    """No GPU here: None and no devices. On a GPU machine: real devices and a reading."""
    usage = gpu.gpu_usage([os.getpid()])

    if _driver_present():
        assert gpu.gpu_available()
        assert gpu.devices() and all(d.memory_total_bytes > 0 for d in gpu.devices())
        assert isinstance(usage, GpuUsage)
        assert usage.memory_bytes >= 0 and 0 <= usage.utilization_percent <= 100
    else:
        assert not gpu.gpu_available()
        assert gpu.devices() == []
        assert usage is None


HOLD_GPU_MEMORY = (
    "import sys, torch\n"
    "block = torch.ones(256 * 2**20, dtype=torch.uint8, device='cuda')\n"
    "print('holding', flush=True)\n"
    "sys.stdin.read()\n"
)
WAIT = "import sys\nprint('holding', flush=True)\nsys.stdin.read()\n"


def test_a_child_holding_gpu_memory_is_counted_by_its_pid():
    """On a GPU: a child's 256 MiB block is its own, not this process's. Without: None."""
    on_gpu = _driver_present()
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_GPU_MEMORY if on_gpu else WAIT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "holding"
        usage = gpu.gpu_usage([child.pid])
        if on_gpu:
            assert usage.memory_bytes >= 256 * 2**20
            assert usage.utilization_percent >= 0
            assert gpu.gpu_usage([os.getpid()]).memory_bytes < usage.memory_bytes
        else:
            assert usage is None
    finally:
        child.communicate("", timeout=60)


def test_no_gpu_degrades_to_none_in_a_fresh_process_without_nvml():
    """With the NVML library out of reach the module still imports and answers None."""
    code = (
        "import pynvml\n"
        "pynvml._LoadNvmlLibrary = lambda: (_ for _ in ()).throw(\n"
        "    pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND))\n"
        "from harness.runners import gpu\n"
        "print(gpu.gpu_usage([1]), gpu.devices(), gpu.gpu_available())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None [] False"


def test_usage_sums_our_pids_and_takes_utilisation_only_where_they_run():
    readings = [
        DeviceReading(memory_by_pid={10: 100, 11: 50, 99: 4000}, utilization_percent=80.0),
        DeviceReading(memory_by_pid={99: 9000}, utilization_percent=100.0),
        DeviceReading(memory_by_pid={12: 25}, utilization_percent=30.0),
    ]

    usage = usage_from_readings(readings, pids=[10, 11, 12])

    assert usage == GpuUsage(memory_bytes=175, utilization_percent=80.0)


def test_usage_is_zero_when_our_pids_hold_nothing():
    readings = [DeviceReading(memory_by_pid={99: 9000}, utilization_percent=100.0)]

    assert usage_from_readings(readings, pids=[10]) == GpuUsage(0, 0.0)


def test_limit():
    usage = GpuUsage(memory_bytes=2 * 2**30, utilization_percent=50.0)

    assert gpu_limit_exceeded(usage, 2**30)
    assert not gpu_limit_exceeded(usage, 4 * 2**30)
    assert not gpu_limit_exceeded(usage, 2 * 2**30)
    assert not gpu_limit_exceeded(usage, None)
    assert not gpu_limit_exceeded(None, 2**30)
