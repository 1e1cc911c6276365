"""The docker attach stream's stdout lines, from multiplexed frames on a real socket pair.

Here, not in docker/, whose conftest starts an engine this test does not need.
"""

from __future__ import annotations

import queue
import socket
import struct

from harness.runners.docker.streams import read_stdout_lines


def _frame(stream: int, payload: bytes) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


def test_stdout_lines_span_frames_and_stderr_frames_are_left_out() -> None:
    engine, harness = socket.socketpair()
    engine.sendall(
        _frame(1, b"hel")
        + _frame(2, b"not an answer\n")
        + _frame(1, b"lo\nwor")
        + _frame(1, b"")
        + _frame(1, "ld ✓\nlast".encode())
    )
    engine.close()
    lines: queue.Queue[str | None] = queue.Queue()
    read_stdout_lines(harness, lines)
    assert [lines.get_nowait() for _ in range(4)] == ["hello", "world ✓", "last", None]
    harness.close()
