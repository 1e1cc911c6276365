"""Isolation for the process runner: Linux namespaces entered just before exec.

The runner starts `python -I sandbox.py [options] -- command...`; this module
then leaves the host's network and mount namespaces and execs the phase's
command in place, so the phase keeps the wrapper's pid and process group.

- network: a new network namespace holds only a loopback device (brought
  up), so the submission can talk to itself but reaches no host address,
  including the host's 127.0.0.1.
- hidden paths (the user's data set, other runs): covered by an empty tmpfs,
  with the phase's own mounts inside them put back, so a submission cannot
  look labels up in the user's class folders or in an earlier run's key.
- processes: a new PID namespace with its own /proc. The command runs as
  pid 2 under a small init (pid 1, a fork of this wrapper) that reaps
  orphans; the phase cannot see or signal the harness or read its memory,
  and when it ends the kernel kills whatever it left behind. The wrapper
  itself stays outside as the process the runner started, waits, and ends
  the way the command ended (same exit code, or the same signal).
- files: every mount is made read-only, then only the writable paths (the
  model folder, scratch, work dir) are bound writable again. The staged
  training images are hard links to the user's own files, so this is what
  keeps a submission from changing them. Where recursive read-only is not
  available (kernel < 5.12), only the read-only paths are bound read-only.

As root this needs nothing else; as another user it tries a user namespace.
The module runs as a script under `-I` and uses only the standard library,
so it works whatever the phase's environment holds.
"""

from __future__ import annotations

import argparse
import ctypes
import errno
import fcntl
import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
AT_FDCWD = -100
AT_RECURSIVE = 0x8000
OPEN_TREE_CLONE = 0x1
MOVE_MOUNT_F_EMPTY_PATH = 0x4
MOUNT_ATTR_RDONLY = 0x1
# The new mount API's numbers are the same on every architecture (unified table).
SYS_OPEN_TREE = 428
SYS_MOVE_MOUNT = 429
SYS_MOUNT_SETATTR = 442
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
EXIT_SANDBOX_FAILED = 125

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class SandboxError(OSError):
    """A namespace or mount step failed; the phase must not run unprotected."""


@dataclass(frozen=True)
class Support:
    """What this machine lets the sandbox do, found once by a probe process."""

    network: bool
    read_only_data: bool
    read_only_everything: bool
    hide: bool
    pid: bool
    notes: tuple[str, ...]


def _check(result: int, what: str) -> int:
    if result < 0:
        code = ctypes.get_errno()
        raise SandboxError(code, f"{what}: {os.strerror(code)}")
    return result


def _mount(
    source: str | None, target: str, flags: int, fstype: str | None = None, data: str | None = None
) -> None:
    encoded = [s.encode() if s else None for s in (source, target, fstype, data)]
    result = _libc.mount(encoded[0], encoded[1], encoded[2], ctypes.c_ulong(flags), encoded[3])
    _check(result, f"mount {target}")


def _unshare(flags: int) -> None:
    """Enter new namespaces; as non-root, inside a user namespace mapping us to ourselves."""
    if os.geteuid() == 0:
        _check(_libc.unshare(flags), "unshare")
        return
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(flags | CLONE_NEWUSER), "unshare (user namespace)")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


class _MountAttr(ctypes.Structure):
    _fields_ = [
        ("attr_set", ctypes.c_uint64),
        ("attr_clr", ctypes.c_uint64),
        ("propagation", ctypes.c_uint64),
        ("userns_fd", ctypes.c_uint64),
    ]


def _everything_read_only() -> None:
    attr = _MountAttr(MOUNT_ATTR_RDONLY, 0, 0, 0)
    result = _libc.syscall(
        SYS_MOUNT_SETATTR, AT_FDCWD, b"/", AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    _check(result, "mount_setattr / read-only")


def _bind(path: str, read_only: bool) -> None:
    _mount(path, path, MS_BIND | MS_REC)
    _mount(None, path, MS_REMOUNT | MS_BIND | (MS_RDONLY if read_only else 0))


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


def _hide(hidden: Sequence[str], keep: Sequence[str]) -> None:
    """Cover each hidden folder with an empty tmpfs, then put the kept paths inside back."""
    kept = [p for p in keep if any(_inside(p, h) for h in hidden)]
    clones = []
    for path in kept:
        flags = OPEN_TREE_CLONE | AT_RECURSIVE | os.O_CLOEXEC
        tree = _libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(), flags)
        clones.append((path, os.path.isdir(path), _check(tree, f"open_tree {path}")))
    for folder in sorted(hidden, key=len):
        if os.path.isdir(folder):
            _mount("tmpfs", folder, MS_NOSUID | MS_NODEV, "tmpfs", "mode=0755,size=1m")
    for path, is_dir, descriptor in clones:
        if is_dir:
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Path(path).touch()
        result = _libc.syscall(
            SYS_MOVE_MOUNT, descriptor, b"", AT_FDCWD, path.encode(), MOVE_MOUNT_F_EMPTY_PATH
        )
        _check(result, f"move_mount {path}")
        os.close(descriptor)


def enter(
    network: bool,
    read_only: Sequence[str],
    writable: Sequence[str],
    hidden: Sequence[str],
    everything: bool,
    pid: bool = False,
) -> None:
    """Move this process into the namespaces the options ask for (before exec or fork)."""
    mounts = bool(read_only or writable or hidden or pid)
    flags = (CLONE_NEWNET if not network else 0) | (CLONE_NEWNS if mounts else 0)
    flags |= CLONE_NEWPID if pid else 0
    if not flags:
        return
    _unshare(flags)
    if not network:
        _loopback_up()
    if not mounts:
        return
    workdir = os.getcwd()
    _mount(None, "/", MS_REC | MS_PRIVATE)
    if hidden:
        _hide(hidden, [*read_only, *writable])
    if everything:
        _everything_read_only()
        for path in writable:
            _bind(path, read_only=False)
    else:
        for path in read_only:
            _bind(path, read_only=True)
    os.chdir(workdir)  # the old cwd is the mount now covered; take the one on top


def _exec(command: Sequence[str]) -> None:
    try:
        os.execvp(command[0], command)
    except OSError as error:
        print(f"onlinesim sandbox: cannot start {list(command)}: {error}", file=sys.stderr)
    os._exit(EXIT_SANDBOX_FAILED)


def _quiet_stdio() -> None:
    """Let go of the protocol pipes, so the command alone holds them (EOF when it exits)."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)


def _init(command: Sequence[str], report: int) -> None:
    """Pid 1 of the new namespace: start the command, reap orphans, report its wait status."""
    try:
        _mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc")
        worker = os.fork()
    except OSError as error:
        print(f"onlinesim sandbox: cannot start {list(command)}: {error}", file=sys.stderr)
        os._exit(EXIT_SANDBOX_FAILED)
    if worker == 0:
        os.close(report)
        _exec(command)
    _quiet_stdio()
    while True:
        reaped, status = os.waitpid(-1, 0)
        if reaped == worker:
            os.write(report, str(status).encode())
            os._exit(0)  # the kernel now kills whatever else the command left in the namespace


def run_in_pid_namespace(command: Sequence[str]) -> int:
    """In the host namespace: fork the namespace's init, wait, then end as the command ended."""
    status_read, status_write = os.pipe()
    init = os.fork()
    if init == 0:
        os.close(status_read)
        _init(command, status_write)
    os.close(status_write)
    _quiet_stdio()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)  # the group's signals reach the command directly
    os.waitpid(init, 0)
    reported = os.read(status_read, 32)
    if not reported:
        return EXIT_SANDBOX_FAILED
    status = int(reported)
    if os.WIFSIGNALED(status):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    return os.waitstatus_to_exitcode(status)


def wrap(
    command: Sequence[str],
    network: bool,
    read_only: Sequence[Path],
    writable: Sequence[Path],
    hidden: Sequence[Path],
    everything: bool,
    pid: bool = False,
) -> list[str]:
    """The argv that runs `command` inside the sandbox (the harness's own Python)."""
    argv = [sys.executable, "-I", str(Path(__file__).resolve())]
    if network:
        argv.append("--network")
    if pid:
        argv.append("--pid-namespace")
    if everything:
        argv.append("--everything-read-only")
    argv += [f"--read-only={p.resolve()}" for p in read_only]
    argv += [f"--writable={p.resolve()}" for p in writable]
    argv += [f"--hide={p.resolve()}" for p in hidden]
    return [*argv, "--", *command]


def _probe_files(scratch: str, found: dict) -> None:
    kept = os.path.join(scratch, "kept")
    os.mkdir(kept)
    Path(scratch, "secret").write_text("x")
    _bind(kept, read_only=True)
    try:
        Path(kept, "probe").write_text("x")
    except OSError as error:
        found["read_only_data"] = error.errno == errno.EROFS
    _hide([scratch], [kept])
    found["hide"] = os.path.isdir(kept) and not os.path.exists(os.path.join(scratch, "secret"))
    _everything_read_only()
    found["read_only_everything"] = True


def _probe_pid() -> bool:
    _check(_libc.unshare(CLONE_NEWPID), "unshare (pid namespace)")
    child = os.fork()
    if child == 0:
        try:
            _mount("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "proc")
            os._exit(0 if os.getpid() == 1 and os.listdir("/proc/1") else 1)
        except OSError:
            os._exit(1)
    return os.waitpid(child, 0)[1] == 0


def _probe(scratch: str) -> dict:
    """Try each isolation step in this (throw-away) process and say what worked."""
    found = {"network": False, "read_only_data": False, "read_only_everything": False}
    found.update(hide=False, pid=False, notes=[])
    try:
        _unshare(CLONE_NEWNET | CLONE_NEWNS)
        _loopback_up()
        found["network"] = True
        _mount(None, "/", MS_REC | MS_PRIVATE)
        _probe_files(scratch, found)
        found["pid"] = _probe_pid()
    except OSError as error:
        found["notes"].append(f"namespace isolation incomplete here ({error})")
    return found


@cache
def support() -> Support:
    """Probe once per harness process, in a child so the harness itself stays put."""
    try:
        with tempfile.TemporaryDirectory(prefix="onlinesim-probe-") as scratch:
            done = subprocess.run(
                [sys.executable, "-I", str(Path(__file__).resolve()), f"--probe={scratch}"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        found = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        found = {"notes": [f"sandbox probe failed ({error})"]}
    return Support(
        network=bool(found.get("network")),
        read_only_data=bool(found.get("read_only_data")),
        read_only_everything=bool(found.get("read_only_everything")),
        hide=bool(found.get("hide")),
        pid=bool(found.get("pid")),
        notes=tuple(found.get("notes", ())),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a command inside the process sandbox.")
    parser.add_argument("--probe", metavar="SCRATCH", help="try each step in SCRATCH; JSON out")
    parser.add_argument("--network", action="store_true", help="keep the host network")
    parser.add_argument("--pid-namespace", action="store_true")
    parser.add_argument("--everything-read-only", action="store_true")
    parser.add_argument("--read-only", action="append", default=[])
    parser.add_argument("--writable", action="append", default=[])
    parser.add_argument("--hide", action="append", default=[])
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(_probe(args.probe)))
        return 0
    try:
        enter(
            args.network,
            args.read_only,
            args.writable,
            args.hide,
            args.everything_read_only,
            args.pid_namespace,
        )
    except OSError as error:
        print(f"onlinesim sandbox: cannot isolate {args.command}: {error}", file=sys.stderr)
        return EXIT_SANDBOX_FAILED
    if args.pid_namespace:
        return run_in_pid_namespace(args.command)
    _exec(args.command)
    return EXIT_SANDBOX_FAILED


if __name__ == "__main__":
    sys.exit(main())
