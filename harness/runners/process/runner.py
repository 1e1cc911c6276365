"""The embedded runner: a phase is a child process group on this machine.

- time: the phase protocols own the deadline; `stop` sends SIGTERM to the
  phase's processes, waits the grace period, then SIGKILLs the group and
  every process ever seen in the tree (also those that left the group).
- memory: a monitor thread sums PSS over the process tree, plus the shared
  memory it holds outside its pages (harness.runners.process.shared_memory),
  every `sample_interval_s` and kills the group as soon as the limit is crossed.
- disk: what the phase adds to its writable places is measured on a thread
  (harness.runners.disk_watch, as under docker); past `Limits.disk_bytes`
  the tree is killed and the phase is `out_of_disk`.
- privileges, files, network, processes: bubblewrap
  (harness.runners.process.sandbox) where it is installed and works; where
  not, the phase runs as a plain child and the report says what is missing.
- CPUs: a phase with `Limits.cpus` starts under `taskset`, so it and its
  children run on those CPUs only (an affinity, which a program may widen).
- GPU: hidden with CUDA_VISIBLE_DEVICES="" when not granted, and its devices
  are absent from the sandbox's /dev. GPU memory (NVML, by the tree's pids)
  is sampled, and an optional limit is enforced like the host memory limit;
  without a GPU it cannot be.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import psutil

from harness.runners.base import (
    Enforcement,
    ExitInfo,
    Limits,
    PhaseSpec,
    Runner,
    RunningPhase,
    SampleCallback,
)
from harness.runners.cpus import cpu_list
from harness.runners.disk_watch import DISK_INTERVAL_S, DiskWatch
from harness.runners.gpu import gpu_available
from harness.runners.output import CappedLog, LineSplitter, LineTooLong
from harness.runners.process import pids_cgroup, sandbox
from harness.runners.process.monitor import GPU_MEMORY, TreeMonitor
from harness.runners.process.shared_memory import unmapped_shared_bytes
from harness.runners.program import check_program
from harness.runners.waits import get_within

PASSED_THROUGH = (
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "LD_LIBRARY_PATH",
    "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES",
)
_EOF = object()
LINES_QUEUED = 1024  # stdout lines read ahead; a flood then waits on the program's side
SANDBOXED = (
    "privileges: none (bubblewrap: own user namespace, no capabilities, no-new-privileges, "
    "new session), also when the harness runs as root",
    "files: an allow-list (system program folders and the harness's Python read-only, the "
    "phase's own folders); the rest of the disk, the data set and host sockets are absent",
    "devices: null, zero, full, random, urandom, tty; a private /dev/shm and /tmp "
    "(size-limited tmpfs, counted as memory); GPU devices only when granted",
    "network: cut (own network namespace, loopback only) unless the profile allows it",
    "processes: own PID namespace (nothing the phase starts outlives it, nor the harness); "
    "their number limited (a pids cgroup where one can be made, as root; else "
    "RLIMIT_NPROC, which the kernel does not check for root's processes)",
)
UNSANDBOXED = (
    "privileges: NOT dropped (bubblewrap missing or not working here: apt-get install "
    "bubblewrap): the phase runs as the harness's user and could signal or inspect it",
    "files: NOT protected: the phase can read the whole disk (the data set, the answer key), "
    "write the user's files and reach host sockets such as Docker's",
    "network: NOT cut: the phase can reach it",
    "processes: NOT bounded: a process the phase starts can outlive it",
    "memory: shared memory (/dev/shm, memfd) NOT counted",
)


def phase_environment(spec: PhaseSpec) -> dict[str, str]:
    """A clean environment: a few host settings, the harness's Python first on PATH, spec.env.

    Nothing else of the harness's environment leaks in, as on the platform. The
    Python folder is resolved, as the sandbox shows it: a venv reached through a
    symlink is bound at its real path only.
    """
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env["PATH"] = os.pathsep.join(
        [str(Path(sys.executable).parent.resolve()), os.environ.get("PATH", os.defpath)]
    )
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(spec.env)
    if not spec.limits.gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def phase_places(spec: PhaseSpec) -> sandbox.Places:
    """What the phase sees: its read-only mounts and the harness's Python; writes its own places."""
    writable = [m.path for m in spec.mounts if m.writable] + [spec.workdir]
    writable += [Path(spec.env[name]) for name in ("TMPDIR", "HOME") if name in spec.env]
    read_only = [m.path for m in spec.mounts if not m.writable and m.path.exists()]
    read_only += sandbox.python_folders()
    return sandbox.Places(
        read_only=tuple(dict.fromkeys(p.resolve() for p in read_only)),
        writable=tuple(dict.fromkeys(p.resolve() for p in writable if p.is_dir())),
        hidden=tuple(p.resolve() for p in spec.hidden if p.is_dir()),
    )


def exit_of(returncode: int, sandboxed: bool) -> tuple[int | None, int | None]:
    """(exit code, signal) of the command; bwrap reports a signal as 128 + its number."""
    if returncode < 0:
        return None, -returncode
    if sandboxed and 128 < returncode <= 128 + signal.NSIG:
        return None, returncode - 128
    return returncode, None


class ProcessPhase(RunningPhase):
    """One started phase: the Popen, its log file, the stdout reader and the monitor."""

    def __init__(
        self,
        spec: PhaseSpec,
        argv: list[str],
        sample_interval_s: float,
        on_sample: SampleCallback | None,
        sandboxed: bool,
        writable: tuple[Path, ...] = (),
    ) -> None:
        self._log = CappedLog(spec.log_path)
        self._lines: queue.Queue = queue.Queue(LINES_QUEUED)
        self._eof = False
        self._killed_for_memory = False
        self._stopped = False
        self._exit: ExitInfo | None = None
        self._lock = threading.Lock()
        self._sandboxed = sandboxed
        self.cgroup: Path | None = None  # the pids cgroup the phase runs in, removed at the end
        limit = spec.limits.disk_bytes
        self._disk = None if limit is None else DiskWatch(writable, limit, self._kill_for_disk)
        if self._disk is not None:
            self._disk.start()  # measures the folders' size before the program writes
        try:
            self._process = subprocess.Popen(
                argv,
                cwd=spec.workdir,
                env={"PATH": os.defpath} if sandboxed else phase_environment(spec),
                stdin=subprocess.PIPE if spec.interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                # one pipe for both outside predict, so the log keeps the program's own order
                stderr=subprocess.PIPE if spec.interactive else subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError:
            if self._disk is not None:
                self._disk.stop()  # nothing to watch: the program never started
            raise
        assert self._process.stdout is not None
        self._copiers = []
        if self._process.stderr is not None:
            self._copiers.append(self._follow(self._copy_to_log, self._process.stderr))
        self.pid = self._process.pid
        self._monitor = TreeMonitor(
            self.pid,
            interval_s=sample_interval_s,
            memory_limit_bytes=spec.limits.memory_bytes,
            gpu_memory_limit_bytes=spec.limits.gpu_memory_bytes,
            on_sample=on_sample,
            on_limit=self._kill_for_memory,
            extra_memory=self._shared_memory if sandboxed else None,
        ).start()
        reader = self._read_stdout if spec.interactive else self._copy_to_log
        self._copiers.append(self._follow(reader, self._process.stdout))

    @staticmethod
    def _follow(target, stream: IO[bytes]) -> threading.Thread:
        thread = threading.Thread(target=target, args=(stream,), name="onlinesim-out", daemon=True)
        thread.start()
        return thread

    def _copy_to_log(self, stream: IO[bytes]) -> None:
        """Into the capped log; past the cap the pipe is still drained, so the program goes on."""
        while chunk := os.read(stream.fileno(), 1 << 16):
            self._log.write(chunk)

    def _read_stdout(self, stream: IO[bytes]) -> None:
        """Protocol lines in bounded memory (an over-long line becomes one LineTooLong)."""
        splitter = LineSplitter()
        while chunk := os.read(stream.fileno(), 1 << 16):
            for item in splitter.feed(chunk):
                self._lines.put(item)
        for item in splitter.finish():
            self._lines.put(item)
        self._lines.put(_EOF)

    def send_line(self, line: str) -> None:
        stdin = self._process.stdin
        if stdin is None:
            raise BrokenPipeError("the phase was not started interactive")
        try:
            stdin.write(line.encode("utf-8") + b"\n")
            stdin.flush()
        except (BrokenPipeError, ValueError) as error:
            raise BrokenPipeError(str(error)) from error

    def read_line(self, timeout_s: float) -> str | None:
        started = time.monotonic()
        if not self._eof:
            try:
                item = get_within(self._lines, timeout_s)
            except queue.Empty:
                return None
            if isinstance(item, LineTooLong):
                raise item
            if item is not _EOF:
                return item
            self._eof = True
        # A closed stdout is silence until the program ends, as a container shows it.
        remaining = max(0.0, timeout_s - (time.monotonic() - started))
        try:
            self._process.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            return None
        raise EOFError("the phase closed its stdout")

    def close_stdin(self) -> None:
        if self._process.stdin is not None:
            try:
                self._process.stdin.close()
            except BrokenPipeError:
                pass

    def wait(self, timeout_s: float | None) -> ExitInfo | None:
        try:
            self._process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None
        return self._finish()

    def stop(self, grace_s: float) -> ExitInfo:
        if self._process.poll() is None:
            self._stopped = True
            self._signal_all(signal.SIGTERM)
            self._wait_gone(grace_s)
        return self._finish()

    def _wait_gone(self, timeout_s: float) -> None:
        """Until no process of the tree runs (zombies count as gone), at most timeout_s."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self._monitor.seen_alive():
            time.sleep(0.01)

    def _shared_memory(self, processes: list[psutil.Process]) -> int:
        return unmapped_shared_bytes(processes, sandbox_root=self.pid)

    def _kill_for_disk(self) -> None:
        self._signal_all(signal.SIGKILL)

    def _kill_for_memory(self) -> None:
        self._killed_for_memory = True
        self._signal_all(signal.SIGKILL)

    def _signal_all(self, signum: int) -> None:
        """Signal the process group, and every process seen in the tree that left it.

        The tree is scanned before the group is signalled: a child that left the
        group is re-parented away once its parent dies, and a later scan misses it.
        """
        self._monitor.tree()
        # bwrap's own processes die at once on SIGTERM and take the command with
        # them (no grace): they only get the final SIGKILL.
        gentle = self._sandboxed and signum != signal.SIGKILL
        if not gentle:
            try:
                os.killpg(self.pid, signum)
            except ProcessLookupError:
                pass
        for process in self._monitor.seen_alive():
            try:
                if not (gentle and process.name() == "bwrap"):
                    process.send_signal(signum)
            except psutil.Error:
                continue

    def _finish(self) -> ExitInfo:
        """Kill whatever is left, reap, release resources; the same ExitInfo every time."""
        with self._lock:
            if self._exit is not None:
                return self._exit
            self._signal_all(signal.SIGKILL)
            code = self._process.wait()
            self._monitor.stop()
            if self._disk is not None:
                self._disk.stop()
            self._wait_gone(1.0)
            self.close_stdin()
            for copier in self._copiers:
                copier.join(timeout=5)
            self._log.close()
            if self.cgroup is not None:
                pids_cgroup.remove(self.cgroup)
            peak = self._monitor.peak_memory_bytes or None
            exit_code, signum = exit_of(code, self._sandboxed)
            self._exit = ExitInfo(
                exit_code=exit_code,
                signal=signum,
                killed_for_memory=self._killed_for_memory,
                stopped_by_harness=self._stopped,
                peak_memory_bytes=peak,
                peak_working_set_bytes=peak,  # PSS counts no page cache: the same figure
                gpu_memory_exceeded=self._monitor.crossed == GPU_MEMORY,
                peak_gpu_memory_bytes=self._monitor.peak_gpu_memory_bytes,
                log_cut=self._log.cut,
                disk_limit_exceeded=self._disk is not None and self._disk.crossed,
                sample_error=self._monitor.callback_error,
            )
            return self._exit


class ProcessRunner(Runner):
    """Runs each phase as a sandboxed child process group on this machine."""

    name = "process"

    def __init__(self, sample_interval_s: float = 0.1, isolate: bool = True) -> None:
        self.sample_interval_s = sample_interval_s
        self.isolate = isolate

    def _support(self) -> sandbox.Support:
        if not self.isolate:
            return sandbox.Support(False, ("isolation switched off",))
        return sandbox.support()

    def enforcement(self, limits: Limits) -> Enforcement:
        support = self._support()
        notes = list(support.notes)
        if limits.memory_bytes is not None:
            notes.append(
                f"memory: the whole process tree (PSS) checked every {self.sample_interval_s:g} s "
                "and killed at the limit; a faster allocation can overshoot by one interval"
            )
        if limits.disk_bytes is not None:
            notes.append(
                f"disk: what the phase adds to its writable folders checked every "
                f"{DISK_INTERVAL_S:g} s and killed above {limits.disk_bytes / 2**20:.0f} MiB; "
                "a faster writer can overshoot by one interval"
            )
        notes += SANDBOXED if support.available else UNSANDBOXED
        if limits.cpus:
            notes.append(
                f"cpus: pinned to {cpu_list(limits.cpus)} (CPU affinity, inherited by every "
                "process of the phase; a program could widen it again)"
            )
        if not limits.gpu and not support.available:
            notes.append("gpu: hidden by CUDA_VISIBLE_DEVICES only, which a program can undo")
        gpu_memory = limits.gpu_memory_bytes is not None and gpu_available()
        if gpu_memory:
            notes.append(
                f"gpu memory: the process tree's GPU memory (NVML) checked every "
                f"{self.sample_interval_s:g} s and killed above "
                f"{limits.gpu_memory_bytes / 2**20:.0f} MiB"
            )
        elif limits.gpu_memory_bytes is not None:
            notes.append("gpu memory limit: not enforced: no GPU (NVML sees no device here)")
        return Enforcement(
            memory=True,
            network=limits.network or support.available,
            read_only_data=support.available,
            gpu=limits.gpu,
            notes=tuple(notes),
            gpu_memory=gpu_memory,
        )

    def launch(self, spec: PhaseSpec, on_sample: SampleCallback | None = None) -> ProcessPhase:
        for mount in spec.mounts:
            if mount.writable:
                mount.path.mkdir(parents=True, exist_ok=True)  # or the sandbox could not show it
        environment = phase_environment(spec)
        check_program(spec.command, spec.workdir, environment["PATH"])
        sandboxed = self._support().available
        argv = list(spec.command)
        group = None
        places = phase_places(spec)
        limits = spec.limits
        if sandboxed:
            group = pids_cgroup.create(limits.pids) if limits.pids is not None else None
            argv = sandbox.bwrap_argv(
                argv,
                places,
                environment,
                spec.workdir.resolve(),
                network=limits.network,
                gpu=limits.gpu,
                shm_bytes=limits.shm_bytes or limits.memory_bytes,
                tmp_bytes=limits.disk_bytes,
                processes=limits.pids,
            )
            if group is not None:
                argv = pids_cgroup.joined(group, argv)
        if spec.limits.cpus:
            argv = ["taskset", "--cpu-list", cpu_list(spec.limits.cpus), *argv]
        phase = ProcessPhase(
            spec, argv, self.sample_interval_s, on_sample, sandboxed, places.writable
        )
        phase.cgroup = group
        return phase
