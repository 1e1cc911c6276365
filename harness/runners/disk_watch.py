"""The disk a phase may write: its writable folders measured on a thread, a kill past the limit.

A bind-mounted folder has no size limit of its own (the engine's `storage_opt`
needs XFS project quotas), so the runner measures what the phase added to
its writable folders every `interval_s` and stops it once that passes the
limit. A fast writer can overshoot by what it writes in one interval; the
blocks counted are the ones allocated, so a sparse file costs what it holds.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

DISK_INTERVAL_S = 0.5


def allocated_bytes(folders: Sequence[Path]) -> int:
    """Bytes allocated to the files under `folders`, each inode once; unreadable parts skipped."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                try:
                    stat = os.lstat(os.path.join(root, name))
                except OSError:
                    continue
                key = (stat.st_dev, stat.st_ino)
                if key not in seen:
                    seen.add(key)
                    total += stat.st_blocks * 512
    return total


class DiskWatch:
    """What a phase wrote beyond its folders' size at `start`, read until `stop` or the limit.

    `crossed` is set and `on_limit` called once when the growth passes
    `limit_bytes`; `peak_bytes` is the most growth seen.
    """

    def __init__(
        self,
        folders: Sequence[Path],
        limit_bytes: int,
        on_limit: Callable[[], None],
        interval_s: float = DISK_INTERVAL_S,
    ) -> None:
        self._folders = list(folders)
        self._limit = limit_bytes
        self._on_limit = on_limit
        self._interval_s = interval_s
        self._ended = threading.Event()
        self._baseline = 0
        self._thread = threading.Thread(target=self._follow, name="disk-watch", daemon=True)
        self.peak_bytes = 0
        self.crossed = False

    def start(self) -> DiskWatch:
        self._baseline = allocated_bytes(self._folders)
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the reading and wait for the thread, so `crossed` cannot change after."""
        self._ended.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _follow(self) -> None:
        while not self._ended.wait(self._interval_s):
            grown = allocated_bytes(self._folders) - self._baseline
            self.peak_bytes = max(self.peak_bytes, grown)
            if grown > self._limit:
                self.crossed = True
                self._on_limit()
                return
