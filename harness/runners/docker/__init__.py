"""The docker runner: one container per phase, the engine enforcing the limits.

The container is the online environment in small: no network, a memory limit
with no swap on top, pids and shm limits, the data mounted read-only and only
the model folder writable; the GPU memory limit, which the engine lacks, is
the runner's own. Every Mount is bind-mounted at its own path, so
paths in requests and environment variables need no translation. Containers
carry the label `onlinesim=1` and are removed when the phase ends, also after
Ctrl-C (an atexit hook catches what a KeyboardInterrupt skipped).

The modules: `engine` (connecting, and whether an engine answers), `cleanup`
(removing the containers started), `images` (the image a phase runs in),
`runner` (creating the container), `phase` (one started container),
`streams` (its log and stdout), `stats` (its resource use), `gpu_watch`
(its GPU use, and the GPU memory limit the engine cannot set) and `watcher`
(removes the containers of a harness killed outright).
"""

from harness.runners.docker.engine import docker_available
from harness.runners.docker.runner import LABEL, DockerRunner

__all__ = ["LABEL", "DockerRunner", "docker_available"]
