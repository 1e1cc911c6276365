"""What the execution tests add to tests/phase_support.py: hiding, limits, a process watcher."""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

import psutil

from harness.phases import PredictLimits

FAST = PredictLimits(setup_s=10.0, per_image_s=0.5, request_timeout_s=5.0, grace_s=2.0)


def folder_to_hide(tmp_path: Path) -> Path:
    """What the harness would hide around a run: here the whole temp dir (other tests'
    run folders, other jobs' files), unless this interpreter lives in it."""
    temp = Path(tempfile.gettempdir()).resolve()
    interpreter = Path(sys.prefix).resolve()
    if temp in interpreter.parents or temp not in tmp_path.resolve().parents:
        return tmp_path.resolve()
    return temp


class Descendants:
    """Every process started under this test process while the block runs (host pids)."""

    def __init__(self) -> None:
        self.seen: dict[int, psutil.Process] = {}
        self.command_lines: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            for process in me.children(recursive=True):
                self.seen.setdefault(process.pid, process)
                try:
                    self.command_lines.add(" ".join(process.cmdline()))
                except psutil.Error:
                    continue
            self._stop.wait(0.02)

    def __enter__(self) -> Descendants:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def still_running(self) -> list[psutil.Process]:
        alive = []
        for process in self.seen.values():
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                continue
        return alive
