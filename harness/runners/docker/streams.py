"""A container's output: the log copy, and stdout lines from the attach socket.

In predict stdout is the answer channel, read from the attach socket, whose
frames (no tty) carry an 8-byte header saying which stream and how long,
taken apart by the Docker SDK's own frame reader; the log then takes only stderr.
"""

from __future__ import annotations

import queue
import socket
from collections.abc import Iterator
from pathlib import Path

from docker import APIClient
from docker import errors as docker_errors
from docker.utils.socket import STDOUT, frames_iter


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
    """Stdout payloads of the engine's multiplexed attach stream, read by the Docker SDK.

    A socket closed or reset under the reader ends the stream like an EOF.
    """
    try:
        for stream, payload in frames_iter(sock, tty=False):
            if stream == STDOUT:
                yield payload
    except OSError:
        return
