"""Connect to the Docker engine's socket and to a host unix socket at TOY_SOCKET."""

import os
import socket

from _verdict import blocked, escaped

for path in ("/var/run/docker.sock", "/run/docker.sock", os.environ["TOY_SOCKET"]):
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.connect(path)
            escaped(f"connected to {path}")
        except OSError:
            pass
blocked("no host socket reachable")
