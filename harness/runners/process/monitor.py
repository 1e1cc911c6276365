"""Sampling a phase's whole process tree: memory, CPU, GPU; the memory limit enforced.

Memory is the sum of PSS (proportional set size, read by psutil from /proc/<pid>/smaps_rollup)
over the tree, so pages that forked workers share with their parent count once,
not once per worker as an RSS sum would. Reading PSS makes the kernel walk the
page tables (11-23 ms for 2 GiB resident, docs/benchmarks.md), so it is read exactly every
`exact_every_s` at most, and more rarely when a reading is costly (its cost
kept near 1 % of a core). Between exact readings each process counts as its
RSS (psutil's memory_info: statm times the kernel's own page size, so a
64 KiB-page kernel is measured right; microseconds) minus its shared part (RSS - PSS) at the
last exact reading; a new process counts its whole RSS. A sum over the limit
is confirmed by an exact reading before anyone is killed, so an over-count
never kills. Where smaps_rollup is unreadable the RSS is used.

Finding the tree means reading every process's /proc/<pid>/stat (this kernel
family has no cheap per-process children list), which costs most of a sample,
so the full walk runs every `rescan_every` samples; in between, the processes
already known are sampled. A new child is therefore counted within
rescan_every x interval_s.

Every process ever seen in the tree is remembered (pid and start time), so the
runner can still kill a descendant that left the process group or lost its
parent.

GPU memory is read through NVML (harness.runners.gpu) for the tree's pids at every
sample; an optional GPU memory limit is enforced like the host one. Without
a GPU the readings are None and that limit is never crossed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import psutil

from harness.runners.base import ResourceSample, SampleCallback
from harness.runners.gpu import GpuUsage, gpu_limit_exceeded, gpu_usage

GpuReader = Callable[[list[int]], GpuUsage | None]

HOST_MEMORY = "memory"
GPU_MEMORY = "gpu_memory"


EXACT_COST_SHARE = 0.01


def resident_bytes(process: psutil.Process) -> int:
    """RSS of one process (psutil: statm times this kernel's page size); 0 once it is gone."""
    try:
        return process.memory_info().rss
    except psutil.Error:
        return 0


def proportional_bytes(process: psutil.Process) -> int | None:
    """PSS of one process (psutil reads smaps_rollup); None where it cannot be read."""
    try:
        return process.memory_full_info().pss
    except (psutil.Error, AttributeError):  # AttributeError: a psutil without pss here
        return None


def crossed_limit(
    memory_bytes: int,
    memory_limit_bytes: int | None,
    gpu: GpuUsage | None,
    gpu_memory_limit_bytes: int | None,
) -> str | None:
    """Which limit one reading is over: HOST_MEMORY, GPU_MEMORY, or None.

    The host limit is checked first: a tree over both is reported as out of
    host memory, the limit every runner enforces.
    """
    if memory_limit_bytes is not None and memory_bytes > memory_limit_bytes:
        return HOST_MEMORY
    if gpu_limit_exceeded(gpu, gpu_memory_limit_bytes):
        return GPU_MEMORY
    return None


class DroppedOnFailure:
    """A GPU reader that is not asked again once it raised (the monitor's and the docker runner's).

    A broken NVML must neither end the thread that enforces the other limits
    nor fail again at every reading: from then on the GPU is unknown (None).
    """

    def __init__(self, reader: GpuReader | None) -> None:
        self._reader = reader

    @property
    def working(self) -> bool:
        return self._reader is not None

    def __call__(self, pids: list[int]) -> GpuUsage | None:
        if self._reader is None:
            return None
        try:
            return self._reader(pids)
        except Exception:
            self._reader = None
            return None


class TreeMonitor:
    """A thread that samples the tree under `root_pid` until stopped.

    When the tree's memory crosses `memory_limit_bytes`, or its GPU memory
    `gpu_memory_limit_bytes`, `on_limit` is called once (the runner kills the
    group there), `crossed` says which, and sampling ends. `gpu_reader` is
    where GPU readings come from (NVML through harness.runners.gpu by default);
    `extra_memory` adds what the tree holds outside its pages (shared memory).
    """

    def __init__(
        self,
        root_pid: int,
        interval_s: float = 0.1,
        memory_limit_bytes: int | None = None,
        on_sample: SampleCallback | None = None,
        on_limit: Callable[[], None] | None = None,
        rescan_every: int = 3,
        exact_every_s: float = 1.0,
        gpu_memory_limit_bytes: int | None = None,
        gpu_reader: GpuReader | None = gpu_usage,
        extra_memory: Callable[[list[psutil.Process]], int] | None = None,
    ) -> None:
        self.interval_s = interval_s
        self.rescan_every = rescan_every
        self.exact_every_s = exact_every_s
        self.memory_limit_bytes = memory_limit_bytes
        self.gpu_memory_limit_bytes = gpu_memory_limit_bytes
        self.on_sample = on_sample
        self.on_limit = on_limit
        self.peak_memory_bytes = 0
        self.peak_gpu_memory_bytes: int | None = None
        self.crossed: str | None = None
        self._last_gpu: GpuUsage | None = None
        self.samples = 0
        self.callback_error: str | None = None
        self._root = psutil.Process(root_pid)
        self._seen: dict[int, psutil.Process] = {root_pid: self._root}
        self._live: list[psutil.Process] = [self._root]
        self._seen_lock = threading.Lock()  # the runner's thread reads what the monitor adds
        self._cpu_before: tuple[float, float] | None = None
        self._shared: dict[int, int] = {}
        self._next_exact = 0.0
        self._read_gpu = DroppedOnFailure(gpu_reader)
        self._extra_memory = extra_memory
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="onlinesim-monitor", daemon=True)

    def start(self) -> TreeMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def tree(self) -> list[psutil.Process]:
        """The live processes of the tree now; remembers each for `seen_alive`."""
        try:
            live = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            live = []
        with self._seen_lock:
            for process in live:
                self._seen.setdefault(process.pid, process)
        self._live = live
        return live

    def _known_alive(self) -> list[psutil.Process]:
        return [p for p in self._live if p.is_running()]

    def seen_alive(self) -> list[psutil.Process]:
        """Every process ever seen in the tree that still runs (same pid, same start)."""
        with self._seen_lock:
            seen = list(self._seen.values())
        alive = []
        for process in seen:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.Error:
                continue
        return alive

    def sample(self) -> ResourceSample:
        """One reading of the tree; updates the peak."""
        rescan = self.samples % self.rescan_every == 0
        processes = self.tree() if rescan else self._known_alive()
        now = time.monotonic()
        memory = self._memory(processes, exact=now >= self._next_exact)
        limit = self.memory_limit_bytes
        if limit is not None and memory > limit:
            memory = self._memory(processes, exact=True)
        self.peak_memory_bytes = max(self.peak_memory_bytes, memory)
        self.samples += 1
        cpu_seconds = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            cpu_seconds += times.user + times.system + times.children_user + times.children_system
        cpu_percent = 0.0
        if self._cpu_before is not None:
            elapsed = now - self._cpu_before[0]
            if elapsed > 0:
                cpu_percent = max(0.0, 100.0 * (cpu_seconds - self._cpu_before[1]) / elapsed)
        self._cpu_before = (now, cpu_seconds)
        gpu = self._last_gpu = self._read_gpu([p.pid for p in processes])
        if gpu is not None:
            self.peak_gpu_memory_bytes = max(self.peak_gpu_memory_bytes or 0, gpu.memory_bytes)
        return ResourceSample(
            t=time.time(),
            memory_bytes=memory,
            cpu_percent=cpu_percent,
            gpu_memory_bytes=None if gpu is None else gpu.memory_bytes,
            gpu_utilization=None if gpu is None else gpu.utilization_percent,
        )

    def _memory(self, processes: list[psutil.Process], exact: bool) -> int:
        """The tree's memory: PSS when exact, else RSS minus each one's last known shared part."""
        started = time.perf_counter()
        if exact:
            self._shared = {}
        total = 0
        for process in processes:
            resident = resident_bytes(process)
            if exact:
                proportional = proportional_bytes(process)
                if proportional is not None:
                    self._shared[process.pid] = max(0, resident - proportional)
            total += max(0, resident - self._shared.get(process.pid, 0))
        if self._extra_memory is not None:
            total += self._extra_memory(processes)
        if exact:
            cost = time.perf_counter() - started
            self._next_exact = time.monotonic() + max(self.exact_every_s, cost / EXACT_COST_SHARE)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            reading = self.sample()
            if self.on_sample is not None:
                try:
                    self.on_sample(reading)
                except Exception as error:  # a broken callback must not end enforcement
                    self.callback_error = f"{type(error).__name__}: {error}"
                    self.on_sample = None
            crossed = crossed_limit(
                reading.memory_bytes,
                self.memory_limit_bytes,
                self._last_gpu,
                self.gpu_memory_limit_bytes,
            )
            if crossed is not None:
                self.crossed = crossed
                if self.on_limit is not None:
                    self.on_limit()
                return
            self._stop.wait(self.interval_s)
