"""Try to open a TCP connection to TOY_CONNECT_ADDR ("host:port"); exit 1 if it works.

A submission must not reach the network online, so reaching it here is a failure.
"""

import os
import socket
import sys


def exit_if_network_reachable() -> None:
    host, _, port = os.environ.get("TOY_CONNECT_ADDR", "1.1.1.1:53").rpartition(":")
    timeout = float(os.environ.get("TOY_CONNECT_TIMEOUT_S", "2"))
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as error:
        print(f"toy network: unreachable {host}:{port}: {error}", file=sys.stderr, flush=True)
        return
    print(f"toy network: reachable {host}:{port}", file=sys.stderr, flush=True)
    sys.exit(1)
