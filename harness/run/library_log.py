"""Library warnings of the harness's own process, kept in the run's log, off the terminal.

The terminal is for the harness's own lines. What the libraries the harness
imports say (Pillow on an odd image, matplotlib, the Docker SDK), as Python
warnings or `logging` records, goes to `logs/harness.log` in the run folder.
Records from before the folder exists are held and written once it does; a
run refused before it has a folder shows them on stderr instead, so that no
warning is lost. A phase's own output never passes here: it goes to its log.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
HELD_RECORDS = 10_000  # before the run folder exists; more are dropped, not kept in memory


class _Held(logging.handlers.BufferingHandler):
    """Keeps records in memory until told where they go; never flushes by itself."""

    def shouldFlush(self, record: logging.LogRecord) -> bool:  # noqa: N802 (logging's name)
        return False

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.buffer) < self.capacity:
            self.buffer.append(record)

    def hand_to(self, handler: logging.Handler) -> None:
        with self.lock:
            for record in self.buffer:
                handler.handle(record)
            self.buffer.clear()


class LibraryLog:
    """Where library records go during one run (a context): held, then the run's `harness.log`."""

    def __init__(self) -> None:
        self._held = _Held(HELD_RECORDS)
        self._file: logging.Handler | None = None

    def __enter__(self) -> LibraryLog:
        logging.getLogger().addHandler(self._held)
        logging.captureWarnings(True)
        return self

    def write_to(self, path: Path) -> None:
        """From now on records go to `path`; those held so far are written first."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = logging.FileHandler(path, encoding="utf-8")
        self._file.setFormatter(logging.Formatter(FORMAT))
        root = logging.getLogger()
        root.addHandler(self._file)
        root.removeHandler(self._held)
        self._held.hand_to(self._file)

    def __exit__(self, *exc_info: object) -> None:
        logging.captureWarnings(False)
        root = logging.getLogger()
        root.removeHandler(self._held)
        if self._file is None:
            stderr = logging.StreamHandler(sys.stderr)
            stderr.setFormatter(logging.Formatter(FORMAT))
            self._held.hand_to(stderr)
        else:
            root.removeHandler(self._file)
            self._file.close()
