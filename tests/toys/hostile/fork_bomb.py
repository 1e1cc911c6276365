"""Fork far past the process limit; each child sleeps."""

import os
import time

from _verdict import blocked, escaped

children = 0
for _ in range(int(os.environ["TOY_FORKS"])):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
    except OSError as error:
        print(f"fork refused after {children}: {error}", flush=True)
        blocked("process limit")
escaped(f"{children} processes")
