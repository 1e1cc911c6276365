"""Sleep-forever toy, train: never ends, and leaves a grandchild behind to be cleaned up.

With TOY_IGNORE_SIGTERM=1 it also ignores SIGTERM, so only the kill after the
grace period stops it.
"""

import os
import signal
import subprocess
import sys
import time

if os.environ.get("TOY_IGNORE_SIGTERM") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
print(f"toy train: pid {os.getpid()}, grandchild pid {grandchild.pid}", file=sys.stderr, flush=True)
while True:
    time.sleep(3600)
