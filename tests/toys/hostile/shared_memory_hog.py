"""Hold memory in a memfd (TOY_KIND=memfd) or a /dev/shm file (shm), never mapped."""

import os
import time

from _verdict import escaped

chunk = b"\1" * 2**20
if os.environ["TOY_KIND"] == "memfd":
    fd = os.memfd_create("hog")
else:
    fd = os.open("/dev/shm/hog", os.O_CREAT | os.O_RDWR)
for mib in range(int(os.environ["TOY_MIB"])):
    try:
        os.write(fd, chunk)
    except OSError as error:
        print(f"stopped at {mib} MiB: {error}", flush=True)
        break
time.sleep(5)
escaped("still alive holding it")
