"""Containers outlive a SIGKILLed harness unless someone else removes them: a watcher does.

One watcher process per harness process, started with its first container, in
a session of its own (a Ctrl-C to the harness's group does not reach it). It
holds the read end of a pipe whose write end only the harness holds (not
inherited by any phase: the fd is not inheritable). However the harness ends,
SIGKILL included, the kernel closes that end; the watcher reads EOF and
removes every container labelled with the harness's owner token, then exits.
After a clean exit it finds none (the harness removed its own).

Run as a script (`python -P watcher.py TOKEN`) so it imports only the Docker
SDK, not the harness.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

OWNER_LABEL = "onlinesim.owner"
RECHECK_S = 1.0  # a create the harness sent just before it died may land a moment later

_watcher: tuple[subprocess.Popen, str] | None = None  # the process and its token
_lock = threading.Lock()


def owner_token() -> str:
    """The label value that marks this harness process's containers; starts the watcher once."""
    global _watcher
    with _lock:
        if _watcher is None or _watcher[0].poll() is not None:
            token = uuid.uuid4().hex
            process = subprocess.Popen(
                [sys.executable, "-P", str(Path(__file__).resolve()), token],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            _watcher = (process, token)
        return _watcher[1]


def remove_owned(token: str) -> None:
    """Remove the containers labelled with `token`, running or not."""
    import docker  # only here: the harness side of this module needs no engine

    client = docker.from_env(timeout=30)
    found = client.api.containers(all=True, filters={"label": f"{OWNER_LABEL}={token}"})
    for container in found:
        try:
            client.api.remove_container(container["Id"], force=True)
        except docker.errors.DockerException:
            continue


def main(token: str) -> None:
    sys.stdin.buffer.read()  # until the harness's end of the pipe closes
    remove_owned(token)
    time.sleep(RECHECK_S)
    remove_owned(token)


if __name__ == "__main__":
    main(sys.argv[1])
