"""A container's output: the log copy, and stdout lines from the attach socket.

In predict stdout is the answer channel, read from the attach socket, whose
frames (no tty) carry an 8-byte header saying which stream and how long,
taken apart by the Docker SDK's own frame reader (which yields a frame in the
pieces the socket gives); the log then takes only stderr. Both are read in
bounded memory (harness.runners.output): the log stops at its size limit, a
line at the protocol's length limit.
"""

from __future__ import annotations

import queue
import socket
from collections.abc import Iterator

from docker import APIClient
from docker import errors as docker_errors
from docker.utils.socket import STDOUT, frames_iter

from harness.runners.output import CappedLog, LineSplitter, LineTooLong


def copy_log(api: APIClient, container_id: str, log: CappedLog, *, stdout: bool) -> None:
    """Copy the container's output to the log as it comes, until it ends or the log is cut.

    Past the cut the copy stops following: the engine keeps its own copy
    bounded (the runner's log options), and the harness spends nothing on a flood.
    """
    stream = api.logs(container_id, stdout=stdout, stderr=True, stream=True, follow=True)
    try:
        for chunk in stream:
            log.write(chunk)
            if log.cut:
                break
    except docker_errors.DockerException:
        pass
    finally:
        stream.close()


def read_stdout_lines(sock: socket.socket, lines: queue.Queue[str | LineTooLong | None]) -> None:
    """Put the attach stream's stdout lines on `lines`, then None when it ends."""
    splitter = LineSplitter()
    for payload in _stdout_frames(sock):
        for item in splitter.feed(payload):
            lines.put(item)
    for item in splitter.finish():
        lines.put(item)
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
