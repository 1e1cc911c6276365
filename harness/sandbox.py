"""Isolation for the process runner: Linux namespaces entered just before exec.

The runner starts `python -I sandbox.py [options] -- command...`; this module
then leaves the host's network and mount namespaces and execs the phase's
command in place, so the phase keeps the wrapper's pid and process group.

- network: a new network namespace holds only a loopback device (brought
  up), so the submission can talk to itself but reaches no host address,
  including the host's 127.0.0.1.
- files: a private mount namespace in which every mount is made read-only,
  then only the writable paths (the model folder, scratch, work dir) are
  bound writable again. The staged training images are hard links to the
  user's own files, so this is what keeps a submission from changing them.
  Where recursive read-only is not available (kernel < 5.12), only the
  read-only paths are bound read-only.

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
CLONE_NEWNET = 0x40000000
MS_RDONLY = 0x1
MS_REMOUNT = 0x20
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
AT_RECURSIVE = 0x8000
MOUNT_ATTR_RDONLY = 0x1
SYS_MOUNT_SETATTR = 442  # the same number on every architecture (unified table)
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
EXIT_SANDBOX_FAILED = 125

_libc = ctypes.CDLL(None, use_errno=True)


class SandboxError(OSError):
    """A namespace or mount step failed; the phase must not run unprotected."""


@dataclass(frozen=True)
class Support:
    """What this machine lets the sandbox do, found once by a probe process."""

    network: bool
    read_only_data: bool
    read_only_everything: bool
    notes: tuple[str, ...]


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise SandboxError(code, f"{what}: {os.strerror(code)}")


def _mount(source: str | None, target: str, flags: int) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None, target.encode(), None, ctypes.c_ulong(flags), None
        ),
        f"mount {target}",
    )


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
        SYS_MOUNT_SETATTR, -100, b"/", AT_RECURSIVE, ctypes.byref(attr), ctypes.sizeof(attr)
    )
    _check(result, "mount_setattr / read-only")


def _bind(path: str, read_only: bool) -> None:
    _mount(path, path, MS_BIND | MS_REC)
    _mount(None, path, MS_REMOUNT | MS_BIND | (MS_RDONLY if read_only else 0))


def enter(
    network: bool, read_only: Sequence[str], writable: Sequence[str], everything: bool
) -> None:
    """Move this process into the namespaces the options ask for (before exec)."""
    flags = (CLONE_NEWNET if not network else 0) | (CLONE_NEWNS if read_only or writable else 0)
    if not flags:
        return
    _unshare(flags)
    if not network:
        _loopback_up()
    if flags & CLONE_NEWNS:
        _mount(None, "/", MS_REC | MS_PRIVATE)
        if everything:
            _everything_read_only()
            for path in writable:
                _bind(path, read_only=False)
        else:
            for path in read_only:
                _bind(path, read_only=True)


def wrap(
    command: Sequence[str],
    network: bool,
    read_only: Sequence[Path],
    writable: Sequence[Path],
    everything: bool,
) -> list[str]:
    """The argv that runs `command` inside the sandbox (the harness's own Python)."""
    argv = [sys.executable, "-I", str(Path(__file__).resolve())]
    if network:
        argv.append("--network")
    if everything:
        argv.append("--everything-read-only")
    argv += [f"--read-only={p}" for p in read_only]
    argv += [f"--writable={p}" for p in writable]
    return [*argv, "--", *command]


def _probe() -> dict:
    """Try each isolation step in this (throw-away) process and say what worked."""
    found = {"network": False, "read_only_data": False, "read_only_everything": False, "notes": []}
    try:
        _unshare(CLONE_NEWNET | CLONE_NEWNS)
        _loopback_up()
        found["network"] = True
        _mount(None, "/", MS_REC | MS_PRIVATE)
        with tempfile.TemporaryDirectory() as scratch:
            _bind(scratch, read_only=True)
            try:
                Path(scratch, "probe").write_text("x")
            except OSError as error:
                found["read_only_data"] = error.errno == errno.EROFS
            _check(_libc.umount2(scratch.encode(), 0), f"umount {scratch}")
        _everything_read_only()
        found["read_only_everything"] = True
    except OSError as error:
        found["notes"].append(f"namespace isolation unavailable here ({error})")
    return found


@cache
def support() -> Support:
    """Probe once per harness process, in a child so the harness itself stays put."""
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).resolve()), "--probe"],
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
        notes=tuple(found.get("notes", ())),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a command inside the process sandbox.")
    parser.add_argument("--probe", action="store_true", help="report what works, as JSON")
    parser.add_argument("--network", action="store_true", help="keep the host network")
    parser.add_argument("--everything-read-only", action="store_true")
    parser.add_argument("--read-only", action="append", default=[])
    parser.add_argument("--writable", action="append", default=[])
    parser.add_argument("command", nargs="*")
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(_probe()))
        return 0
    try:
        enter(args.network, args.read_only, args.writable, args.everything_read_only)
        os.execvp(args.command[0], args.command)
    except OSError as error:
        print(f"onlinesim sandbox: cannot start {args.command}: {error}", file=sys.stderr)
    return EXIT_SANDBOX_FAILED


if __name__ == "__main__":
    sys.exit(main())
