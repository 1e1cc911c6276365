"""A phase's output in bounded memory and disk: protocol lines with a length limit, a capped log.

Both runners read what a phase prints through these, so a flood or a line
without end costs the harness the same bounded memory under each: a line is
held up to `MAX_LINE_BYTES`, the log file grows up to `LOG_LIMIT_BYTES`, and
what comes past either is counted, not kept.
"""

from __future__ import annotations

import threading
from pathlib import Path

MAX_LINE_BYTES = 1 << 20  # one answer line; a scores object for thousands of classes fits
LOG_LIMIT_BYTES = 64 << 20  # one phase's log file


class LineTooLong(Exception):
    """A stdout line passed the protocol's length limit; its bytes were not kept."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"a stdout line was longer than {limit_bytes} bytes")
        self.limit_bytes = limit_bytes


class LineSplitter:
    """Bytes in, complete lines out; an over-long line becomes one LineTooLong, its rest skipped."""

    def __init__(self, limit_bytes: int = MAX_LINE_BYTES) -> None:
        self._limit = limit_bytes
        self._buffer = bytearray()
        self._skipping = False

    def feed(self, data: bytes) -> list[str | LineTooLong]:
        items: list[str | LineTooLong] = []
        start = 0
        while start < len(data):
            end = data.find(b"\n", start)
            piece = data[start:] if end < 0 else data[start:end]
            if not self._skipping:
                self._buffer += piece
                if len(self._buffer) > self._limit:
                    items.append(LineTooLong(self._limit))
                    self._buffer.clear()
                    self._skipping = True
                elif end >= 0:
                    items.append(self._take())
            if end < 0:
                break
            self._skipping = False
            start = end + 1
        return items

    def finish(self) -> list[str | LineTooLong]:
        """The last line when the stream ended without a newline."""
        return [self._take()] if self._buffer and not self._skipping else []

    def _take(self) -> str:
        line = self._buffer.decode("utf-8", errors="replace").rstrip("\r")
        self._buffer.clear()
        return line


class CappedLog:
    """A phase's log file that stops growing at `limit_bytes`; `cut` says whether it did.

    Written from several threads (stdout and stderr copiers), so writes are serialised.
    """

    def __init__(self, path: Path, limit_bytes: int = LOG_LIMIT_BYTES) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "ab", buffering=0)
        self._written = self._file.tell()
        self._limit = limit_bytes
        self._lock = threading.Lock()
        self.cut = False

    def write(self, data: bytes) -> None:
        with self._lock:
            if self._file.closed:
                return
            room = max(0, self._limit - self._written)
            if room:
                self._written += self._file.write(data[:room])
            if len(data) > room:
                if not self.cut:
                    self._file.write(
                        f"\n[onlinesim] log cut at {self._limit} bytes: further output of "
                        "the phase is discarded\n".encode()
                    )
                self.cut = True

    def close(self) -> None:
        with self._lock:
            self._file.close()
