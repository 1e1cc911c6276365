"""A container's output: the log copy, and stdout lines from the attach socket.

In predict stdout is the answer channel, read from the attach socket, whose
frames (no tty) carry an 8-byte header saying which stream and how long; the
log then takes only stderr.
"""

from __future__ import annotations

import queue
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

from docker import APIClient
from docker import errors as docker_errors


def copy_log(api: APIClient, container_id: str, log_path: Path, *, stdout: bool) -> None:
    """Copy the container's output to the log file as it comes, flushed per chunk."""
    stream = api.logs(container_id, stdout=stdout, stderr=True, stream=True, follow=True)
    with open(log_path, "ab") as log:
        try:
            for chunk in stream:
                log.write(chunk)
                log.flush()
        except docker_errors.DockerException:
            pass


def read_stdout_lines(sock: socket.socket, lines: queue.Queue[str | None]) -> None:
    """Put the attach stream's stdout lines on `lines`, then None when it ends."""
    buffer = b""
    for payload in _stdout_frames(sock):
        buffer += payload
        *complete, buffer = buffer.split(b"\n")
        for line in complete:
            lines.put(line.decode("utf-8", errors="replace"))
    if buffer:
        lines.put(buffer.decode("utf-8", errors="replace"))
    lines.put(None)


def _stdout_frames(sock: socket.socket) -> Iterator[bytes]:
    """Payloads of the engine's multiplexed attach stream, stdout frames only."""
    while True:
        header = _read_exactly(sock, 8)
        if header is None:
            return
        stream_type, size = struct.unpack(">BxxxL", header)
        payload = _read_exactly(sock, size)
        if payload is None:
            return
        if stream_type == 1:
            yield payload


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        try:
            chunk = sock.recv(size - len(data))
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk
    return data
