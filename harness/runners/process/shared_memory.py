"""Memory a phase holds outside its processes' own pages: tmpfs files and memfds.

A file in the phase's private /dev/shm or /tmp (tmpfs) and a memfd take RAM
whether or not a process maps them, and PSS only sees the mapped part. There
is no cgroup to count them here (the runner must work without one, and with
cgroup v1 or v2), so they are read from /proc:

- tmpfs: statvfs of /proc/<pid>/root/dev/shm and .../tmp, through any process
  inside the sandbox's mount namespace;
- memfd: the size of every fd whose link reads `/memfd:...`, each file once.

The mapped part of these files is already in the processes' PSS, so the
tree's RssShmem (/proc/<pid>/status, no page walk) is taken off their sum.
Several processes mapping the same pages can make that an under-count; SysV
shared memory segments (in the phase's own IPC namespace) are not counted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import psutil

from harness.runners.process.sandbox import PRIVATE_TMPFS


def tmpfs_bytes(pid: int) -> int | None:
    """Bytes used in the private tmpfs folders as `pid` sees them; None if unreadable.

    None too while a folder is still the host's (bwrap has not mounted the
    sandbox's tmpfs yet): counting the host's /tmp would charge its whole disk.
    """
    used = 0
    try:
        for folder in PRIVATE_TMPFS:
            seen = f"/proc/{pid}/root{folder}"
            if os.path.exists(folder) and os.stat(seen).st_dev == os.stat(folder).st_dev:
                return None
            stats = os.statvfs(seen)
            used += (stats.f_blocks - stats.f_bfree) * stats.f_frsize
    except OSError:
        return None
    return used


def memfd_files(pid: int) -> dict[tuple[int, int], int]:
    """The memfds `pid` holds open: (device, inode) -> size."""
    found: dict[tuple[int, int], int] = {}
    folder = f"/proc/{pid}/fd"
    try:
        names = os.listdir(folder)
    except OSError:
        return found
    for name in names:
        path = os.path.join(folder, name)
        try:
            if os.readlink(path).startswith("/memfd:"):
                stat = os.stat(path)
                found[(stat.st_dev, stat.st_ino)] = stat.st_size
        except OSError:
            continue
    return found


def mapped_shared_bytes(pid: int) -> int:
    """RssShmem of one process: shared-memory pages it maps (already in its PSS)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"RssShmem:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def unmapped_shared_bytes(processes: Iterable[psutil.Process], sandbox_root: int) -> int:
    """Shared memory the tree holds beyond what its PSS already counts."""
    pids = [p.pid for p in processes if p.pid != sandbox_root]
    files: dict[tuple[int, int], int] = {}
    in_tmpfs = None
    for pid in pids:
        files.update(memfd_files(pid))
        if in_tmpfs is None:
            in_tmpfs = tmpfs_bytes(pid)
    held = sum(files.values()) + (in_tmpfs or 0)
    return max(0, held - sum(mapped_shared_bytes(pid) for pid in pids))
