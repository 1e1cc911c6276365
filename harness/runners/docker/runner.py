"""The docker runner itself: what the engine enforces, and one container per phase.

Here a PhaseSpec becomes a container: the mounts at their own paths, the limits
as host config, an unprivileged user, and the labels that find it again.

Hardening (docs/runners.md, "Threat model: docker runner"): every capability
dropped, no new privileges, a read-only root filesystem with a size-limited
tmpfs at /tmp, the engine's socket never mounted, a private IPC namespace,
the engine's own log copy bounded. Each container carries its harness's
owner token, by which a watcher process removes it if the harness is killed
outright (`watcher`). A harness running as root runs the phase
as nobody (65534:65534): it gets the writable folders for the phase (chown)
and the harness's user takes them back when the phase ends.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import docker
from docker import errors as docker_errors
from docker.types import DeviceRequest
from docker.types import Mount as DockerMount

from harness.runners.base import (
    Enforcement,
    Limits,
    Mount,
    PhaseSpec,
    Runner,
    RunningPhase,
    SampleCallback,
)
from harness.runners.cpus import cpu_list
from harness.runners.docker.cleanup import remove_container, track
from harness.runners.docker.engine import connect
from harness.runners.docker.gpu_watch import GPU_INTERVAL_S
from harness.runners.docker.images import check_image, image_for, submission_image
from harness.runners.docker.phase import DockerPhase, hand_over
from harness.runners.docker.watcher import OWNER_LABEL, owner_token
from harness.runners.gpu import gpu_available, gpu_usage, granted_gpu_ids
from harness.runners.output import LOG_LIMIT_BYTES
from harness.runners.process.monitor import GpuReader
from harness.runners.program import ProgramNotFound, engine_says_not_found
from harness.settings.table import SETTINGS

LABEL = "onlinesim"
# Unbuffered UTF-8 output, as the process runner gives, so logs arrive as they are written.
CONTAINER_ENV = {"PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8"}
ONE_GPU = [DeviceRequest(count=1, capabilities=[["gpu"]])]  # what the contest gave a phase
NOBODY = 65534  # nobody:nogroup in Debian-based images: a user that owns nothing
ENGINE_SOCKETS = (Path("/var/run/docker.sock"), Path("/run/docker.sock"))
TMP_BYTES_WITHOUT_DISK_LIMIT = 1 << 30
ENGINE_LOG = {"type": "json-file", "config": {"max-size": str(LOG_LIMIT_BYTES), "max-file": "1"}}


def device_requests(granted: tuple[str, ...] | None) -> list[DeviceRequest] | None:
    """The GPUs a scheduler granted the harness (device ids), else any one, as the contest gave."""
    if granted:
        return [DeviceRequest(device_ids=list(granted), capabilities=[["gpu"]])]
    return ONE_GPU


def phase_user() -> tuple[int, int]:
    """The uid and gid the container runs as: the harness's own, nobody when that is root."""
    if os.getuid() == 0:
        return NOBODY, NOBODY
    return os.getuid(), os.getgid()


def refuse_engine_socket(mounts: list[Mount]) -> None:
    """No mount may show the engine's socket: a phase that reaches it owns the host."""
    for mount in mounts:
        for engine_socket in ENGINE_SOCKETS:
            if mount.path == engine_socket or mount.path in engine_socket.parents:
                raise ValueError(f"the mount {mount.path} would show the engine's socket")


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
    """Runs each phase in a fresh container from `image`, under the engine's limits.

    `gpu_reader` gives the GPU use of host pids (NVML through harness.runners.gpu by
    default), asked every `gpu_interval_s` for a container granted a GPU.
    """

    name: ClassVar[str] = "docker"

    def __init__(
        self,
        image: str | None = None,
        gpu_reader: GpuReader | None = gpu_usage,
        gpu_interval_s: float = GPU_INTERVAL_S,
    ) -> None:
        self.image = image or SETTINGS["docker_image"].default_value()
        self.gpu_reader = gpu_reader
        self.gpu_interval_s = gpu_interval_s
        self._client: docker.DockerClient | None = None
        self._info: dict[str, Any] | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = connect()
        return self._client

    def _engine_info(self) -> dict[str, Any]:
        if self._info is None:
            self._info = self.client.info()
        return self._info

    def has_gpu_runtime(self) -> bool:
        """Whether the engine lists an NVIDIA runtime (nvidia-container-toolkit)."""
        return "nvidia" in (self._engine_info().get("Runtimes") or {})

    def gpu_granted(self, limits: Limits) -> bool:
        """Whether a phase under `limits` gets a GPU: asked for, and the engine can give one."""
        return limits.gpu and self.has_gpu_runtime()

    def enforcement(self, limits: Limits) -> Enforcement:
        info = self._engine_info()
        notes = [f"docker runner, image {self.image}, engine {info.get('ServerVersion')}"]
        memory = limits.memory_bytes is not None
        if memory and not info.get("SwapLimit", True):
            notes.append("the engine cannot limit swap here; memory beyond the limit may swap")
        gpu = self.gpu_granted(limits)
        if limits.gpu and not gpu:
            runtimes = ", ".join(sorted(info.get("Runtimes") or {})) or "none"
            notes.append(
                f"no GPU: the engine has no NVIDIA runtime (runtimes: {runtimes}); "
                "install nvidia-container-toolkit to give phases the GPU"
            )
        if limits.cpus:
            notes.append(f"cpus: the container's cpuset is {cpu_list(limits.cpus)}")
        gpu_memory = limits.gpu_memory_bytes is not None and gpu and gpu_available()
        if gpu_memory:
            notes.append(
                f"gpu memory: the container's GPU memory (NVML, by the host pids the engine's "
                f"`top` lists) checked every {self.gpu_interval_s:g} s and the container killed "
                f"above {limits.gpu_memory_bytes / 2**20:.0f} MiB"
            )
        elif limits.gpu_memory_bytes is not None:
            notes.append(f"gpu memory limit: not enforced: {self._no_gpu_reason(limits)}")
        return Enforcement(
            memory=memory,
            network=not limits.network,
            read_only_data=True,
            gpu=gpu,
            notes=tuple(notes),
            gpu_memory=gpu_memory,
        )

    def _no_gpu_reason(self, limits: Limits) -> str:
        if not limits.gpu:
            return "the profile grants the phase no GPU"
        if not self.has_gpu_runtime():
            return "no GPU granted (the engine has no NVIDIA runtime)"
        return "no GPU (NVML sees no device here)"

    def submission_image(self, requirements: Path) -> str:
        """The image with the submission's requirements installed, built once per content."""
        return submission_image(self.client, self.image, requirements)

    def prepare(self, spec: PhaseSpec) -> str:
        """Build what `launch` needs before any clock starts: the image the phase runs in.

        The platform installed requirements before the budget began; a caller that
        calls this first keeps the first build of a submission's layer off the budget.
        """
        check_image(self.client, self.image)
        return image_for(self.client, self.image, spec.workdir)

    def launch(self, spec: PhaseSpec, on_sample: SampleCallback | None = None) -> RunningPhase:
        image = self.prepare(spec)
        api = self.client.api
        limits = spec.limits
        gpu = self.gpu_granted(limits)
        mounts = container_mounts(spec)
        refuse_engine_socket(mounts)
        writable = [m.path for m in mounts if m.writable]
        for folder in writable:
            folder.mkdir(parents=True, exist_ok=True)
        uid, gid = phase_user()
        hand_over(writable, uid, gid)
        tmp_bytes = limits.disk_bytes or TMP_BYTES_WITHOUT_DISK_LIMIT
        host_config = api.create_host_config(
            mounts=[
                DockerMount(str(m.path), str(m.path), type="bind", read_only=not m.writable)
                for m in mounts
            ],
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={tmp_bytes}"},
            ipc_mode="private",
            log_config=ENGINE_LOG,
            network_mode="bridge" if limits.network else "none",
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            pids_limit=limits.pids,
            shm_size=limits.shm_bytes,
            device_requests=device_requests(granted_gpu_ids()) if gpu else None,
            cpuset_cpus=cpu_list(limits.cpus) if limits.cpus else None,
            init=True,
        )
        created = api.create_container(
            image,
            command=list(spec.command),
            working_dir=str(spec.workdir),
            environment={**CONTAINER_ENV, **spec.env},
            user=f"{uid}:{gid}",
            labels={LABEL: "1", f"{LABEL}.phase": spec.phase, OWNER_LABEL: owner_token()},
            host_config=host_config,
            stdin_open=spec.interactive,
            detach=not spec.interactive,
            tty=False,
        )
        container_id = created["Id"]
        track(self.client, container_id)
        try:
            return DockerPhase(
                self.client,
                container_id,
                spec,
                on_sample,
                gpu_reader=self.gpu_reader if gpu else None,
                gpu_interval_s=self.gpu_interval_s,
                writable=tuple(writable),
            )
        except docker_errors.APIError as error:
            # A missing program or work dir fails at start; as OSError it reads
            # like the process runner's "could not be started".
            remove_container(self.client, container_id)
            explanation = error.explanation or str(error)
            if engine_says_not_found(explanation):
                raise ProgramNotFound(spec.command[0]) from error
            raise OSError(explanation) from error
        except BaseException:
            remove_container(self.client, container_id)
            raise
