"""The docker runner: one container per phase, the engine enforcing the limits.

The container is the online environment in small: no network, a memory limit
with no swap on top, pids and shm limits, the data mounted read-only and only
the model folder writable. Every Mount is bind-mounted at its own path, so
paths in requests and environment variables need no translation. Containers
carry the label `onlinesim=1` and are removed when the phase ends, also after
Ctrl-C (an atexit hook catches what a KeyboardInterrupt skipped).
"""

from __future__ import annotations

import atexit
import hashlib
import math
import os
import queue
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import docker
from docker import errors as docker_errors
from docker.types import DeviceRequest
from docker.types import Mount as DockerMount

from harness.errors import UserError
from harness.runners import DOCKER_IMAGE_ENV, default_docker_image
from harness.runners.base import (
    Enforcement,
    ExitInfo,
    Limits,
    Mount,
    PhaseSpec,
    ResourceSample,
    Runner,
    RunningPhase,
    SampleCallback,
)

LABEL = "onlinesim"
ENGINE_TIMEOUT_S = 30
# Unbuffered UTF-8 output, as the process runner gives, so logs arrive as they are written.
CONTAINER_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8"}
START_HINT = (
    "start an engine (as root: scripts/ensure_docker.sh), or use the process runner "
    "(--runner process)"
)

SUBMISSION_REPO = "onlinesim-submission"
CA_BUNDLE = Path(os.environ.get("ONLINESIM_BUILD_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt"))
# The per-submission layer: the online image plus the submission's requirements.txt.
# The installer script is the online image's (see Dockerfile), so TensorFlow stays.
SUBMISSION_DOCKERFILE = """\
FROM {image}
COPY requirements.txt /tmp/onlinesim-requirements.txt
USER root
RUN --mount=type=secret,id=ca_bundle onlinesim-install-requirements /tmp/onlinesim-requirements.txt
"""

# Where the engine's cgroup keeps a container's peak memory, when this is the engine's
# host: cgroup v1 and v2, cgroupfs and systemd drivers.
CGROUP_POLL_S = 0.02  # a read costs microseconds; the files vanish soon after the exit
CGROUP_PEAK_FILES = (
    "/sys/fs/cgroup/memory/docker/{id}/memory.max_usage_in_bytes",
    "/sys/fs/cgroup/memory/system.slice/docker-{id}.scope/memory.max_usage_in_bytes",
    "/sys/fs/cgroup/docker/{id}/memory.peak",
    "/sys/fs/cgroup/system.slice/docker-{id}.scope/memory.peak",
)

_live_containers: dict[str, docker.DockerClient] = {}
_live_lock = threading.Lock()


def docker_available() -> tuple[bool, str]:
    """Whether a Docker engine answers here, and a sentence saying which or why not."""
    try:
        client = docker.from_env(timeout=5)
        version = client.version().get("Version", "unknown")
        client.close()
    except docker_errors.DockerException as error:
        return False, f"no Docker engine answers ({_first_line(error)}); {START_HINT}"
    return True, f"Docker engine {version} answers"


def _connect() -> docker.DockerClient:
    try:
        client = docker.from_env(timeout=ENGINE_TIMEOUT_S)
        client.ping()
    except docker_errors.DockerException as error:
        raise UserError(
            f"the docker runner needs a Docker engine, and none answers: {_first_line(error)}",
            hint=START_HINT,
        ) from error
    return client


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _remove_container(client: docker.DockerClient, container_id: str) -> None:
    try:
        client.api.remove_container(container_id, force=True)
    except docker_errors.NotFound:
        pass
    except docker_errors.APIError as error:
        if "already in progress" not in str(error):
            raise
    with _live_lock:
        _live_containers.pop(container_id, None)


@atexit.register
def _remove_leftover_containers() -> None:
    """Containers whose phase never reached its own clean-up (Ctrl-C, a crash)."""
    with _live_lock:
        leftovers = list(_live_containers.items())
    for container_id, client in leftovers:
        try:
            _remove_container(client, container_id)
        except docker_errors.DockerException:
            pass


def _covered(path: Path, mounts: list[Mount]) -> bool:
    return any(path == m.path or m.path in path.parents for m in mounts)


def container_mounts(spec: PhaseSpec) -> list[Mount]:
    """The spec's mounts, plus the working, temporary and home folders it names.

    The runner needs those folders inside the container even when the phase did
    not list them; they are the harness's fresh copies, so they are writable,
    as under the process runner.
    """
    mounts = list(spec.mounts)
    extra = [spec.workdir] + [Path(spec.env[k]) for k in ("TMPDIR", "HOME") if k in spec.env]
    for path in extra:
        if path.is_dir() and not _covered(path, mounts):
            mounts.append(Mount(path, writable=True))
    return mounts


class DockerRunner(Runner):
    """Runs each phase in a fresh container from `image`, under the engine's limits."""

    name: ClassVar[str] = "docker"

    def __init__(self, image: str | None = None) -> None:
        self.image = image or default_docker_image()
        self._client: docker.DockerClient | None = None
        self._info: dict[str, Any] | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = _connect()
        return self._client

    def _engine_info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = self.client.info()
        return self._info

    def has_gpu_runtime(self) -> bool:
        """Whether the engine lists an NVIDIA runtime (nvidia-container-toolkit)."""
        return "nvidia" in (self._engine_info().get("Runtimes") or {})

    def enforcement(self, limits: Limits) -> Enforcement:
        info = self._engine_info()
        notes = [f"docker runner, image {self.image}, engine {info.get('ServerVersion')}"]
        memory = limits.memory_bytes is not None
        if memory and not info.get("SwapLimit", True):
            notes.append("the engine cannot limit swap here; memory beyond the limit may swap")
        gpu = limits.gpu and self.has_gpu_runtime()
        if limits.gpu and not gpu:
            runtimes = ", ".join(sorted(info.get("Runtimes") or {})) or "none"
            notes.append(
                f"no GPU: the engine has no NVIDIA runtime (runtimes: {runtimes}); "
                "install nvidia-container-toolkit to give phases the GPU"
            )
        if limits.gpu_memory_bytes is not None:
            notes.append(
                "gpu memory limit: not enforced by the docker runner (the engine has no GPU "
                "memory limit); use the process runner, e.g. inside `docker compose up simulate`"
            )
        return Enforcement(
            memory=memory,
            network=not limits.network,
            read_only_data=True,
            gpu=gpu,
            notes=tuple(notes),
        )

    def _check_image(self) -> None:
        try:
            self.client.images.get(self.image)
        except docker_errors.ImageNotFound as error:
            raise UserError(
                f"the docker image {self.image!r} does not exist on this engine",
                hint="build it with docker/build_image.sh (see docs/docker.md), "
                f"or name another image with --docker-image or {DOCKER_IMAGE_ENV}",
            ) from error

    def submission_image(self, requirements: Path) -> str:
        """The image with the submission's requirements installed, built once per content.

        Tagged by a hash of the online image's id and the file's bytes, so a rerun
        with the same requirements reuses the layer and an edit rebuilds it.
        """
        base_id = self.client.images.get(self.image).id
        digest = hashlib.sha256(base_id.encode() + requirements.read_bytes()).hexdigest()
        tag = f"{SUBMISSION_REPO}:{digest[:16]}"
        try:
            self.client.images.get(tag)
            return tag
        except docker_errors.ImageNotFound:
            pass
        with tempfile.TemporaryDirectory(prefix="onlinesim-layer-") as context:
            shutil.copy(requirements, Path(context) / "requirements.txt")
            dockerfile = Path(context) / "Dockerfile"
            dockerfile.write_text(SUBMISSION_DOCKERFILE.format(image=self.image))
            argv = [*_buildkit_command(), "--tag", tag, "--file", str(dockerfile)]
            if CA_BUNDLE.is_file():
                argv += ["--secret", f"id=ca_bundle,src={CA_BUNDLE}"]
            built = subprocess.run(
                [*argv, context],
                capture_output=True,
                text=True,
                env={**os.environ, "DOCKER_BUILDKIT": "1"},
            )
        if built.returncode != 0:
            raise UserError(
                f"installing the submission's {requirements.name} into {self.image} failed:\n"
                + "\n".join((built.stdout + built.stderr).strip().splitlines()[-15:]),
                hint="fix the requirements (pinned versions that exist for the image's Python)",
            )
        return tag

    def prepare(self, spec: PhaseSpec) -> str:
        """Build what `launch` needs before any clock starts: the image the phase runs in.

        The platform installed requirements before the budget began; a caller that
        calls this first keeps the first build of a submission's layer off the budget.
        """
        self._check_image()
        return self._image_for(spec)

    def _image_for(self, spec: PhaseSpec) -> str:
        requirements = spec.workdir / "requirements.txt"
        if requirements.is_file() and requirements.read_text(encoding="utf-8").strip():
            return self.submission_image(requirements)
        return self.image

    def launch(self, spec: PhaseSpec, on_sample: SampleCallback | None = None) -> RunningPhase:
        image = self.prepare(spec)
        api = self.client.api
        limits = spec.limits
        host_config = api.create_host_config(
            mounts=[
                DockerMount(str(m.path), str(m.path), type="bind", read_only=not m.writable)
                for m in container_mounts(spec)
            ],
            network_mode="bridge" if limits.network else "none",
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.pids,
            shm_size=limits.shm_bytes,
            device_requests=(
                [DeviceRequest(count=1, capabilities=[["gpu"]])]  # the contest gave one GPU
                if limits.gpu and self.has_gpu_runtime()
                else None
            ),
            init=True,
        )
        created = api.create_container(
            image,
            command=list(spec.command),
            working_dir=str(spec.workdir),
            environment={**CONTAINER_ENV, **spec.env},
            user=f"{os.getuid()}:{os.getgid()}",
            labels={LABEL: "1", f"{LABEL}.phase": spec.phase},
            host_config=host_config,
            stdin_open=spec.interactive,
            detach=not spec.interactive,
            tty=False,
        )
        container_id = created["Id"]
        with _live_lock:
            _live_containers[container_id] = self.client
        try:
            return DockerPhase(self.client, container_id, spec, on_sample)
        except docker_errors.APIError as error:
            # A missing program or work dir fails at start; as OSError it reads
            # like the process runner's "could not be started".
            _remove_container(self.client, container_id)
            raise OSError(error.explanation or str(error)) from error
        except BaseException:
            _remove_container(self.client, container_id)
            raise


def _buildkit_command() -> list[str]:
    """A `docker build` that has BuildKit: the buildx plugin, else a client with it built in."""
    if subprocess.run(["docker", "buildx", "version"], capture_output=True).returncode == 0:
        return ["docker", "buildx", "build", "--load"]
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        client = Path(folder) / "docker"
        if not os.access(client, os.X_OK):
            continue
        probe = subprocess.run(
            [str(client), "build", "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )
        if probe.returncode == 0 and "--secret" in probe.stdout:
            return [str(client), "build"]
    raise UserError(
        "no docker client here can build with BuildKit, which the submission's layer needs",
        hint="install the docker buildx plugin",
    )


class DockerPhase(RunningPhase):
    """One started container: its log and stats followers, and its stdin/stdout."""

    def __init__(
        self,
        client: docker.DockerClient,
        container_id: str,
        spec: PhaseSpec,
        on_sample: SampleCallback | None,
    ) -> None:
        self._client = client
        self._api = client.api
        self._id = container_id
        self._spec = spec
        self._on_sample = on_sample
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._peak_memory: int | None = None
        self._cgroup_peak: int | None = None
        self._stopped_by_harness = False
        self._exit: ExitInfo | None = None
        self._exited = threading.Event()
        self._sock: socket.socket | None = None
        if spec.interactive:
            raw = self._api.attach_socket(
                container_id, params={"stdin": 1, "stdout": 1, "stream": 1}
            )
            self._sock = getattr(raw, "_sock", raw)
            self._sock.settimeout(None)  # the client's request timeout would end a quiet phase
        spec.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._api.start(container_id)
        self._thread(self._follow_stats)  # ends by itself once the container is gone
        self._thread(self._watch_cgroup_peak)
        self._threads = [self._thread(self._follow_log), self._thread(self._wait_for_exit)]
        if self._sock is not None:
            self._threads.append(self._thread(self._read_stdout))

    def _thread(self, target) -> threading.Thread:
        thread = threading.Thread(target=target, daemon=True, name=f"docker-{target.__name__}")
        thread.start()
        return thread

    # followers (threads)

    def _follow_log(self) -> None:
        """Copy the container's output to the log file as it comes, flushed per chunk."""
        stream = self._api.logs(
            self._id, stdout=not self._spec.interactive, stderr=True, stream=True, follow=True
        )
        with open(self._spec.log_path, "ab") as log:
            try:
                for chunk in stream:
                    log.write(chunk)
                    log.flush()
            except docker_errors.DockerException:
                pass

    def _watch_cgroup_peak(self) -> None:
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

    def _follow_stats(self) -> None:
        try:
            for stats in self._api.stats(self._id, stream=True, decode=True):
                if self._exited.is_set():
                    return
                self._record(stats)
        except docker_errors.DockerException:
            pass

    def _record(self, stats: dict[str, Any]) -> None:
        memory = stats.get("memory_stats") or {}
        if "usage" not in memory:
            return
        details = memory.get("stats") or {}
        in_use = memory["usage"] - details.get(
            "total_inactive_file", details.get("inactive_file", 0)
        )
        peak = max(memory.get("max_usage", 0), in_use)
        self._peak_memory = max(self._peak_memory or 0, peak)
        if self._on_sample is not None:
            self._on_sample(
                ResourceSample(t=time.time(), memory_bytes=in_use, cpu_percent=_cpu_percent(stats))
            )

    def _wait_for_exit(self) -> None:
        try:
            self._api.wait(self._id)
            state = self._api.inspect_container(self._id)["State"]
        except docker_errors.DockerException:
            state = {"ExitCode": None, "OOMKilled": False}
        code = state.get("ExitCode")
        oom = bool(state.get("OOMKilled"))
        readings = [p for p in (self._peak_memory, self._cgroup_peak) if p is not None]
        peak = max(readings) if readings else None
        if oom and self._spec.limits.memory_bytes:
            # The kernel killed it on reaching the limit, often before stats caught up.
            peak = max(peak or 0, self._spec.limits.memory_bytes)
        self._exit = ExitInfo(
            exit_code=code,
            signal=code - 128 if code is not None and code > 128 else None,
            killed_for_memory=oom,
            stopped_by_harness=self._stopped_by_harness,
            peak_memory_bytes=peak,
        )
        self._exited.set()

    def _read_stdout(self) -> None:
        """Split the attach stream (8-byte frame headers, no tty) into stdout lines."""
        buffer = b""
        frames = _Frames(self._sock)
        for payload in frames:
            buffer += payload
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                self._lines.put(line.decode("utf-8", errors="replace"))
        if buffer:
            self._lines.put(buffer.decode("utf-8", errors="replace"))
        self._lines.put(None)

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
            line = self._lines.get(timeout=max(timeout_s, 0))
        except queue.Empty:
            return None
        if line is None:
            self._lines.put(None)
            raise EOFError("the phase closed its stdout")
        return line

    def close_stdin(self) -> None:
        if self._sock is not None:
            try:
                self._sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def wait(self, timeout_s: float | None) -> ExitInfo | None:
        try:
            if not self._exited.wait(timeout_s):
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
        assert self._exit is not None
        return self._exit

    def _remove(self) -> None:
        if self._sock is not None:
            self._sock.close()
        _remove_container(self._client, self._id)


class _Frames:
    """Payloads of the engine's multiplexed attach stream, stdout frames only."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def __iter__(self):
        while True:
            header = self._read_exactly(8)
            if header is None:
                return
            stream_type, size = struct.unpack(">BxxxL", header)
            payload = self._read_exactly(size)
            if payload is None:
                return
            if stream_type == 1:
                yield payload

    def _read_exactly(self, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            try:
                chunk = self._sock.recv(size - len(data))
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        return data


def _cpu_percent(stats: dict[str, Any]) -> float:
    """CPU use since the previous reading, 100 per busy core (as `docker stats` shows)."""
    cpu, pre = stats.get("cpu_stats") or {}, stats.get("precpu_stats") or {}
    try:
        used = cpu["cpu_usage"]["total_usage"] - pre["cpu_usage"]["total_usage"]
        elapsed = cpu["system_cpu_usage"] - pre["system_cpu_usage"]
    except KeyError:
        return 0.0
    cores = cpu.get("online_cpus") or len(cpu["cpu_usage"].get("percpu_usage") or [1])
    return 100.0 * used / elapsed * cores if elapsed > 0 else 0.0
