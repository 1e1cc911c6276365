"""The process-tree monitor: sums the whole tree, counts shared pages once, enforces."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil

from harness.runners.gpu import GpuUsage
from harness.runners.process.monitor import GPU_MEMORY, HOST_MEMORY, TreeMonitor, crossed_limit

MIB = 2**20

CHILDREN_EACH_ALLOCATE = """
import os, sys, time
children = 2
for _ in range(children):
    if os.fork() == 0:
        break
block = bytearray(64 * 2**20)
block[::4096] = b"x" * len(range(0, len(block), 4096))
os.write(1, b"ready\\n")
time.sleep(30)
"""

CHILDREN_SHARE_THE_PARENTS_PAGES = """
import os, sys, time
block = bytearray(128 * 2**20)
block[::4096] = b"x" * len(range(0, len(block), 4096))
for _ in range(2):
    if os.fork() == 0:
        break
os.write(1, b"ready\\n")
time.sleep(30)
"""


def _start(code: str, ready_lines: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, start_new_session=True
    )
    for _ in range(ready_lines):
        assert process.stdout.readline().strip() == b"ready"
    return process


def _end(process: subprocess.Popen) -> None:
    for child in psutil.Process(process.pid).children(recursive=True):
        child.kill()
    process.kill()
    process.wait()


def _wait_for(crossed: list, timeout_s: float = 5.0) -> None:
    """Poll until the monitor's on_limit callback has recorded a crossing, or give up."""
    deadline = time.monotonic() + timeout_s
    while not crossed and time.monotonic() < deadline:
        time.sleep(0.02)


def test_memory_of_the_whole_tree_is_summed():
    process = _start(CHILDREN_EACH_ALLOCATE, ready_lines=3)
    try:
        monitor = TreeMonitor(process.pid)
        sample = monitor.sample()
        assert len(monitor.tree()) == 3
        assert sample.memory_bytes > 3 * 64 * MIB
    finally:
        _end(process)


def test_pages_shared_after_fork_count_once():
    process = _start(CHILDREN_SHARE_THE_PARENTS_PAGES, ready_lines=3)
    try:
        monitor = TreeMonitor(process.pid)
        pss_sum = monitor.sample().memory_bytes
        rss_sum = sum(p.memory_info().rss for p in monitor.tree())
        assert rss_sum > 3 * 128 * MIB
        assert 128 * MIB < pss_sum < 128 * MIB + 60 * MIB
    finally:
        _end(process)


def test_samples_flow_and_the_limit_is_enforced_even_if_the_callback_breaks():
    process = _start(CHILDREN_EACH_ALLOCATE, ready_lines=3)
    samples, crossed = [], []

    def broken_callback(sample):
        samples.append(sample)
        raise RuntimeError("a bug in the caller")

    try:
        monitor = TreeMonitor(
            process.pid,
            interval_s=0.05,
            memory_limit_bytes=100 * MIB,
            on_sample=broken_callback,
            on_limit=lambda: crossed.append(time.monotonic()),
        ).start()
        _wait_for(crossed)
        monitor.stop()
        assert crossed, "the limit was not enforced"
        assert monitor.crossed == HOST_MEMORY
        assert monitor.callback_error == "RuntimeError: a bug in the caller"
        assert len(samples) == 1
        assert monitor.peak_memory_bytes > 100 * MIB
    finally:
        _end(process)


def test_cpu_of_a_busy_tree_is_measured():
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        monitor = TreeMonitor(process.pid)
        monitor.sample()
        time.sleep(0.5)
        assert monitor.sample().cpu_percent > 20
    finally:
        process.kill()
        process.wait()


FORK_ON_REQUEST = """
import os, sys, time
block = bytearray(128 * 2**20)
block[::4096] = b"x" * len(range(0, len(block), 4096))
os.write(1, b"ready\\n")
sys.stdin.readline()
for _ in range(2):
    if os.fork() == 0:
        break
os.write(1, b"ready\\n")
time.sleep(30)
"""


def test_workers_forked_between_exact_readings_are_not_killed_for_shared_pages():
    process = subprocess.Popen(
        [sys.executable, "-c", FORK_ON_REQUEST],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert process.stdout.readline().strip() == b"ready"
        monitor = TreeMonitor(process.pid, memory_limit_bytes=250 * MIB, exact_every_s=600)
        monitor.sample()  # the only scheduled exact reading
        process.stdin.write(b"go\n")
        process.stdin.flush()
        for _ in range(3):
            assert process.stdout.readline().strip() == b"ready"
        monitor.tree()
        rss_sum = sum(p.memory_info().rss for p in monitor.tree())
        readings = [monitor.sample().memory_bytes for _ in range(3)]
        assert rss_sum > 250 * MIB  # an RSS count would have killed here
        assert all(128 * MIB < r < 250 * MIB for r in readings)
    finally:
        _end(process)


def test_which_limit_a_reading_crosses():
    gpu = GpuUsage(memory_bytes=300 * MIB, utilization_percent=50.0)
    assert crossed_limit(10 * MIB, 100 * MIB, gpu, 256 * MIB) == GPU_MEMORY
    assert crossed_limit(10 * MIB, 100 * MIB, gpu, 512 * MIB) is None
    assert crossed_limit(200 * MIB, 100 * MIB, gpu, 256 * MIB) == HOST_MEMORY  # host first
    assert crossed_limit(10 * MIB, None, gpu, None) is None
    assert crossed_limit(10 * MIB, None, None, 1) is None  # no GPU: never crossed


def test_the_gpu_memory_limit_stops_sampling_and_says_so():
    """A real tree; the GPU reading is fixed, as NVML would give it for these pids."""
    process = _start(CHILDREN_EACH_ALLOCATE, ready_lines=3)
    asked: list[list[int]] = []
    crossed: list[float] = []

    def reader(pids: list[int]) -> GpuUsage:
        asked.append(sorted(pids))
        return GpuUsage(memory_bytes=300 * MIB, utilization_percent=80.0)

    try:
        monitor = TreeMonitor(
            process.pid,
            interval_s=0.05,
            memory_limit_bytes=2**40,
            gpu_memory_limit_bytes=256 * MIB,
            gpu_reader=reader,
            on_limit=lambda: crossed.append(time.monotonic()),
        ).start()
        _wait_for(crossed)
        monitor.stop()
        assert crossed and monitor.crossed == GPU_MEMORY
        assert monitor.peak_gpu_memory_bytes == 300 * MIB
        assert process.pid in asked[0]
    finally:
        _end(process)


def test_without_a_gpu_reading_the_peak_stays_unknown():
    process = _start(CHILDREN_EACH_ALLOCATE, ready_lines=3)
    try:
        monitor = TreeMonitor(process.pid, gpu_memory_limit_bytes=1, gpu_reader=lambda pids: None)
        sample = monitor.sample()
        assert sample.gpu_memory_bytes is None and monitor.peak_gpu_memory_bytes is None
    finally:
        _end(process)
