"""Containers outlive a SIGKILLed harness unless someone else removes them: a watcher does.

One watcher process per harness process, started with its first container, in
a session of its own (a Ctrl-C to the harness's group does not reach it) and
forked once more so that it is not the harness's child: a Ray worker that is
force-cancelled kills its children before it exits, and that took the watcher
with it and left the containers of a cancelled sweep running. It holds the
read end of a pipe whose write end only the harness holds (not inherited by
any phase: the fd is not inheritable). However the harness ends, SIGKILL
included, the kernel closes that end; the watcher reads EOF and removes every
container labelled with the harness's owner token, then exits. After a clean
exit it finds none (the harness removed its own).

Run as a script (`python -P watcher.py TOKEN`) so it imports only the Docker
SDK, not the harness.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import IO

OWNER_LABEL = "onlinesim.owner"
RECHECK_S = 1.0  # a create the harness sent just before it died may land a moment later

# Its pid, the write end of its pipe (closing it is the watcher's signal), its token.
_watcher: tuple[int, IO[bytes], str] | None = None
_lock = threading.Lock()


def _alive(pid: int) -> bool:
    """Whether `pid` still runs as ours; another user's process on a reused pid is not."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def owner_token() -> str:
    """The label value that marks this harness process's containers; starts the watcher once."""
    global _watcher
    with _lock:
        if _watcher is None or not _alive(_watcher[0]):
            token = uuid.uuid4().hex
            launcher = subprocess.Popen(
                [sys.executable, "-P", str(Path(__file__).resolve()), token],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            pid = int(launcher.stdout.readline())
            launcher.stdout.close()
            launcher.wait()
            _watcher = (pid, launcher.stdin, token)
        return _watcher[2]


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
    watcher_pid = os.fork()
    if watcher_pid:  # the launcher: tell the harness who watches, then leave at once
        print(watcher_pid, flush=True)
        os._exit(0)
    with open(os.devnull, "w") as null:  # the launcher's stdout pipe is the harness's
        os.dup2(null.fileno(), sys.stdout.fileno())
    main(sys.argv[1])
