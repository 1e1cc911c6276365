"""Hold or gain a capability: effective set, setuid(0), mount a tmpfs."""

import ctypes
import os

from _verdict import blocked, escaped

status = open("/proc/self/status").read()
effective = int(status.split("CapEff:")[1].split()[0], 16)
if effective:
    escaped(f"CapEff {effective:x}")
try:
    os.setuid(0)
    if os.getuid() == 0 and os.geteuid() == 0 and "NoNewPrivs:\t1" not in status:
        escaped("became root without no-new-privileges")
except OSError:
    pass
libc = ctypes.CDLL(None, use_errno=True)
if libc.mount(b"tmpfs", os.environ["TMPDIR"].encode(), b"tmpfs", 0, None) == 0:
    escaped("mounted a tmpfs")
if "NoNewPrivs:\t1" not in status:
    escaped("no-new-privileges not set")
blocked("no capability")
