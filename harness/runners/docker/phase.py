"""One started container as a RunningPhase: its followers, its stdin/stdout, its exit.

The phase protocols see the same interface as under the process runner; here
the engine's exit state (code, OOM kill), or the runner's kill over the GPU
memory limit, becomes the ExitInfo they judge.
"""

from __future__ import annotations

import dataclasses
import math
import os
import queue
import socket
import threading
from pathlib import Path
from typing import Any

import docker
from docker import errors as docker_errors

from harness.runners.base import ExitInfo, PhaseSpec, ResourceSample, RunningPhase, SampleCallback
from harness.runners.disk_watch import DiskWatch
from harness.runners.docker.cleanup import remove_container
from harness.runners.docker.engine import ENGINE_TIMEOUT_S
from harness.runners.docker.gpu_watch import GPU_INTERVAL_S, GpuWatch
from harness.runners.docker.stats import ResourceWatch
from harness.runners.docker.streams import copy_log, read_stdout_lines
from harness.runners.output import CappedLog, LineTooLong
from harness.runners.process.monitor import GpuReader
from harness.runners.program import init_says_not_found
from harness.runners.waits import get_within, wait_for

LINES_QUEUED = 1024  # stdout lines read ahead; a flood then waits on the program's side


class DockerPhase(RunningPhase):
    """One started container: its log, stats and GPU followers, and its stdin/stdout.

    `gpu_reader` is given only when the container was granted a GPU; without
    one the GPU stays unmeasured (None), as a container without a GPU has none.
    `writable` are the folders the disk limit (`spec.limits.disk_bytes`) counts.
    """

    def __init__(
        self,
        client: docker.DockerClient,
        container_id: str,
        spec: PhaseSpec,
        on_sample: SampleCallback | None,
        gpu_reader: GpuReader | None = None,
        gpu_interval_s: float = GPU_INTERVAL_S,
        writable: tuple[Path, ...] = (),
    ) -> None:
        self._client = client
        self._api = client.api
        self._id = container_id
        self._spec = spec
        self._writable = writable
        self._lines: queue.Queue[str | LineTooLong | None] = queue.Queue(LINES_QUEUED)
        self._stopped_by_harness = False
        self._exit: ExitInfo | None = None
        self._exited = threading.Event()
        self._gpu = (
            None
            if gpu_reader is None
            else GpuWatch(
                self._api,
                container_id,
                gpu_reader,
                spec.limits.gpu_memory_bytes,
                on_limit=self._kill_now,
                interval_s=gpu_interval_s,
            )
        )
        self._resources = ResourceWatch(
            self._api, container_id, self._exited, self._with_gpu(on_sample)
        )
        self._disk = (
            None
            if spec.limits.disk_bytes is None
            else DiskWatch(writable, spec.limits.disk_bytes, on_limit=self._kill_now)
        )
        self._sock: socket.socket | None = None
        if spec.interactive:
            raw = self._api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stream": 1}
            )
            self._sock = getattr(raw, "_sock", raw)
            self._sock.settimeout(None)  # the client's request timeout would end a quiet phase
        self._log = CappedLog(spec.log_path)
        if self._disk is not None:
            self._disk.start()  # measures the folders' size before the program writes
        self._api.start(container_id)
        self._thread(self._resources.follow_stats)  # ends by itself once the container is gone
        self._thread(self._resources.watch_cgroup_peak)
        if self._gpu is not None:
            self._gpu.start()  # stopped by _wait_for_exit, before the exit is judged
        self._threads = [self._thread(self._follow_log), self._thread(self._wait_for_exit)]
        if self._sock is not None:
            self._threads.append(self._thread(self._read_stdout))

    def _thread(self, target) -> threading.Thread:
        thread = threading.Thread(target=target, daemon=True, name=f"docker-{target.__name__}")
        thread.start()
        return thread

    def _with_gpu(self, on_sample: SampleCallback | None) -> SampleCallback | None:
        """`on_sample` with the latest GPU reading added to each stats sample."""
        gpu = self._gpu
        if on_sample is None or gpu is None:
            return on_sample

        def sample_with_gpu(sample: ResourceSample) -> None:
            usage = gpu.latest
            if usage is not None:
                sample = dataclasses.replace(
                    sample,
                    gpu_memory_bytes=usage.memory_bytes,
                    gpu_utilization=usage.utilization_percent,
                )
            on_sample(sample)

        return sample_with_gpu

    def _kill_now(self) -> None:
        """Over the GPU memory or the disk limit: SIGKILL now, as the process runner does."""
        try:
            self._api.kill(self._id)
        except docker_errors.DockerException:
            pass  # it ended by itself meanwhile

    # followers (threads)

    def _follow_log(self) -> None:
        copy_log(self._api, self._id, self._log, stdout=not self._spec.interactive)

    def _read_stdout(self) -> None:
        assert self._sock is not None
        read_stdout_lines(self._sock, self._lines)

    def _wait_for_exit(self) -> None:
        try:
            self._api.wait(self._id)
            state = self._api.inspect_container(self._id)["State"]
        except docker_errors.DockerException:
            state = {"ExitCode": None, "OOMKilled": False}
        if self._gpu is not None:
            self._gpu.stop()
        if self._disk is not None:
            self._disk.stop()
        exit = exit_info(
            state,
            self._resources.peak_memory(),
            self._resources.peak_working_set(),
            self._spec.limits.memory_bytes,
            self._stopped_by_harness,
            gpu_memory_exceeded=self._gpu is not None and self._gpu.crossed,
            peak_gpu_memory=None if self._gpu is None else self._gpu.peak_memory_bytes,
        )
        self._exit = dataclasses.replace(
            exit,
            disk_limit_exceeded=self._disk is not None and self._disk.crossed,
            missing_program=self._missing_program(state.get("ExitCode")),
        )
        self._exited.set()

    def _missing_program(self, exit_code: int | None) -> str | None:
        """The command's program when the container's init could not find it (exit 127)."""
        program = self._spec.command[0] if self._spec.command else None
        if exit_code != 127 or program is None:
            return None
        try:
            tail = self._api.logs(self._id, stdout=False, stderr=True, tail=5)
        except docker_errors.DockerException:
            return None
        return program if init_says_not_found(tail.decode("utf-8", "replace"), program) else None

    # RunningPhase

    def send_line(self, line: str) -> None:
        if self._sock is None:
            raise BrokenPipeError("the phase is not interactive")
        try:
            self._sock.sendall((line.rstrip("\n") + "\n").encode("utf-8"))
        except OSError as error:
            raise BrokenPipeError(str(error)) from error

    def read_line(self, timeout_s: float) -> str | None:
        try:
            line = get_within(self._lines, timeout_s)
        except queue.Empty:
            return None
        if line is None:
            self._lines.put(None)
            raise EOFError("the phase closed its stdout")
        if isinstance(line, LineTooLong):
            raise line
        return line

    def close_stdin(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def wait(self, timeout_s: float | None) -> ExitInfo | None:
        try:
            if not wait_for(self._exited, timeout_s):
                return None
            return self._finish()
        except KeyboardInterrupt:
            self._remove()
            raise

    def stop(self, grace_s: float) -> ExitInfo:
        if not self._exited.is_set():
            self._stopped_by_harness = True
            try:
                self._api.stop(self._id, timeout=max(math.ceil(grace_s), 0))
            except docker_errors.NotFound:
                pass
        self._exited.wait(ENGINE_TIMEOUT_S)
        return self._finish()

    def _finish(self) -> ExitInfo:
        for thread in self._threads:
            thread.join(timeout=5)
        self._remove()
        self._log.close()
        hand_over(list(self._writable), os.getuid(), os.getgid())
        self._writable = ()  # handed back once; the harness may delete them afterwards
        assert self._exit is not None
        return dataclasses.replace(self._exit, log_cut=self._log.cut)

    def _remove(self) -> None:
        if self._sock is not None:
            self._sock.close()
        remove_container(self._client, self._id)


def exit_info(
    state: dict[str, Any],
    peak_memory: int | None,
    peak_working_set: int | None,
    memory_limit: int | None,
    stopped_by_harness: bool,
    gpu_memory_exceeded: bool = False,
    peak_gpu_memory: int | None = None,
) -> ExitInfo:
    """The engine's exit state as an ExitInfo: a code above 128 is a signal, OOMKilled a kill.

    A container the runner killed over the GPU memory limit ends as a memory kill
    for the GPU, as under the process runner. The kernel kills only once it cannot
    reclaim page cache, so at an OOM kill the working set was at the limit too.
    """
    code = state.get("ExitCode")
    oom = bool(state.get("OOMKilled"))
    if oom and memory_limit:
        # The kernel killed it on reaching the limit, often before stats caught up.
        peak_memory = max(peak_memory or 0, memory_limit)
        peak_working_set = max(peak_working_set or 0, memory_limit)
    return ExitInfo(
        exit_code=code,
        signal=code - 128 if code is not None and code > 128 else None,
        killed_for_memory=oom or gpu_memory_exceeded,
        stopped_by_harness=stopped_by_harness,
        peak_memory_bytes=peak_memory,
        peak_working_set_bytes=peak_working_set,
        gpu_memory_exceeded=gpu_memory_exceeded and not oom,
        peak_gpu_memory_bytes=peak_gpu_memory,
    )


def hand_over(folders: list[Path], uid: int, gid: int) -> None:
    """Give the phase's user its writable folders (as root only; otherwise they are its own)."""
    if os.getuid() != 0:
        return
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for path in [root] + [os.path.join(root, name) for name in dirs + files]:
                try:
                    os.chown(path, uid, gid, follow_symlinks=False)
                except FileNotFoundError:
                    continue
