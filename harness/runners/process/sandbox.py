"""Isolation for the process runner: the phase's command runs under bubblewrap.

bubblewrap (`bwrap`, Debian's `bubblewrap`, Flatpak's sandbox) builds the
phase's world from an allow-list and execs the command in it; this module only
turns a PhaseSpec into bwrap's argv (docs/runners.md says why bwrap rather
than our own namespace code):

- privileges: always a new user namespace, as root too, with the capability
  bounding set emptied, no-new-privileges (bwrap always sets it), a new
  session, and no further user namespaces. As root the phase runs as
  `nobody` inside; its host uid stays root's, but without any capability in
  the host's namespaces.
- files: an empty root with only the system's program folders (/usr and its
  /bin, /lib links), a few /etc files programs need, the harness's Python
  (read-only), and the phase's own places from its mounts, work dir and
  scratch; nothing else on disk exists for it (no copy of the data set, no
  host unix socket: /run, /var/run and the host's /tmp are not there).
  Hidden folders inside an allowed one are covered by an empty tmpfs.
- /dev: bwrap's minimal one (null, zero, full, random, urandom, tty), a
  private /dev/shm sized by the memory (or shm) limit and a private /tmp
  sized by the disk limit, and the GPU devices when granted.
- processes, network, IPC: new PID (bwrap is pid 1 and reaps; when the
  command ends, everything it left behind is killed), network (loopback
  only) and IPC namespaces; the phase dies with the harness (parent-death
  signal), and `RLIMIT_NPROC` (counted inside the user namespace) bounds
  its number of processes.
- environment: bwrap itself starts with an empty environment; the phase's
  variables are set with `--setenv` for the command only, so `LD_PRELOAD`
  and the like from a manifest act inside the sandbox, never before it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# What programs read in /etc: the loader's cache, users, time zone, certificates, fonts.
ETC_FILES = (
    "alternatives",
    "ca-certificates",
    "fonts",
    "group",
    "host.conf",
    "hosts",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "mime.types",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "ssl",
    "timezone",
)
# The driver's nodes every CUDA program opens, beside one /dev/nvidiaN per GPU it uses.
GPU_CONTROL_DEVICES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset")
GPU_CARD = re.compile(r"nvidia\d+")
PRIVATE_TMPFS = ("/dev/shm", "/tmp")
NOBODY = 65534
DEFAULT_TMPFS_BYTES = 2**30


class SandboxMissing(RuntimeError):
    """bwrap is not installed or cannot create namespaces here."""


@dataclass(frozen=True)
class Support:
    """Whether bwrap works on this machine, found once by running it."""

    available: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Places:
    """The host paths a phase sees: read-only, writable, and covered (hidden) ones."""

    read_only: tuple[Path, ...]
    writable: tuple[Path, ...]
    hidden: tuple[Path, ...] = ()


def python_folders() -> tuple[Path, ...]:
    """The harness's interpreter and its environment, which `python` in a phase is."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable))}
    return tuple(sorted(folders))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _system_view() -> list[str]:
    """The program folders as the host has them: links stay links, folders are bound read-only."""
    argv: list[str] = []
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            argv += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            argv += ["--ro-bind", folder, folder]
    for name in ETC_FILES:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return argv


def _place_view(places: Places) -> list[str]:
    """Bind each place at its own path, parents before children, hidden ones covered."""
    steps = [(p, "--ro-bind") for p in places.read_only if not _covered(p)]
    steps += [(p, "--bind") for p in places.writable]
    covered = [h for h in places.hidden if any(_inside(h, p) for p, _ in steps if h != p)]
    steps += [(h, "--tmpfs") for h in covered]
    argv: list[str] = []
    for path, option in sorted(steps, key=lambda step: len(step[0].parts)):
        argv += [option, str(path)] if option == "--tmpfs" else [option, str(path), str(path)]
    return argv


def _covered(path: Path) -> bool:
    """Already in the system view (a bind under /usr would only repeat it)."""
    return any(_inside(path, Path(f)) for f in SYSTEM_FOLDERS if not os.path.islink(f))


def gpu_device_nodes(visible: str | None, present: Iterable[str]) -> list[str]:
    """The /dev nodes of a phase granted the GPU: a card node for each GPU index in
    CUDA_VISIBLE_DEVICES (a sweep's task on GPU 1 needs /dev/nvidia1), every card `present`
    when it names none or names them by UUID, and the driver's control nodes."""
    indices = [i.strip() for i in (visible or "").split(",") if i.strip()]
    if indices and all(i.isdigit() for i in indices):
        cards = [f"nvidia{int(i)}" for i in indices]
    else:
        cards = sorted((n for n in present if GPU_CARD.fullmatch(n)), key=lambda n: int(n[6:]))
    return [*cards, *GPU_CONTROL_DEVICES]


def _devices(gpu_nodes: Sequence[str], shm_bytes: int, tmp_bytes: int) -> list[str]:
    argv = ["--dev", "/dev", "--proc", "/proc"]
    for target, size in zip(PRIVATE_TMPFS, (shm_bytes, tmp_bytes), strict=True):
        argv += ["--size", str(size), "--perms", "1777", "--tmpfs", target]
    for name in gpu_nodes:
        argv += ["--dev-bind-try", f"/dev/{name}", f"/dev/{name}"]
    return argv


def bwrap_argv(
    command: Sequence[str],
    places: Places,
    env: Mapping[str, str],
    workdir: Path,
    network: bool,
    gpu: bool,
    shm_bytes: int | None,
    tmp_bytes: int | None,
    processes: int | None,
) -> list[str]:
    """The argv that runs `command` in the sandbox (pure: the tests read it as it is).

    `shm_bytes` sizes the private /dev/shm (memory), `tmp_bytes` the private /tmp
    (the disk limit: what the phase may write); None takes DEFAULT_TMPFS_BYTES.
    """
    argv = ["prlimit", f"--nproc={processes}", "--"] if processes is not None else []
    argv += [shutil.which("bwrap") or "bwrap", "--unshare-all", "--unshare-user"]
    if network:
        argv.append("--share-net")
    if os.geteuid() == 0:
        argv += ["--uid", str(NOBODY), "--gid", str(NOBODY)]
    argv += ["--cap-drop", "ALL", "--disable-userns", "--new-session", "--die-with-parent"]
    argv += _system_view()
    nodes = gpu_device_nodes(env.get("CUDA_VISIBLE_DEVICES"), os.listdir("/dev")) if gpu else []
    argv += _devices(nodes, shm_bytes or DEFAULT_TMPFS_BYTES, tmp_bytes or DEFAULT_TMPFS_BYTES)
    argv += _place_view(places)
    argv += ["--remount-ro", "/"]  # bwrap's root is a tmpfs: no writing (uncounted) in it
    argv += ["--chdir", str(workdir), "--clearenv"]
    for name, value in env.items():
        argv += ["--setenv", name, value]
    return [*argv, "--", *command]


@cache
def support() -> Support:
    """Try bwrap once per harness process with the options every phase uses."""
    if shutil.which("bwrap") is None:
        return Support(False, ("bwrap not installed (Debian: apt-get install bubblewrap)",))
    places = Places(read_only=python_folders(), writable=())
    argv = bwrap_argv(
        [sys.executable, "-I", "-c", "pass"], places, {}, Path("/"), False, False, 2**20, 2**20, 64
    )
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        return Support(False, (f"bwrap cannot run here ({error})",))
    if done.returncode != 0:
        why = done.stderr.strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        return Support(False, (f"bwrap cannot create its namespaces here ({why[0]})",))
    return Support(True, ())
