"""Open any block device /dev holds."""

import os
import stat

from _verdict import blocked, escaped

for name in os.listdir("/dev"):
    path = os.path.join("/dev", name)
    try:
        if stat.S_ISBLK(os.stat(path).st_mode):
            escaped(f"block device {path} is there")
    except OSError:
        pass
blocked("no block device")
