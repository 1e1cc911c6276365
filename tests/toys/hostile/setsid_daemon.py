"""Double-fork a setsid daemon that means to outlive the phase; say its host-visible mark."""

import os
import time

from _verdict import blocked

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        with open(os.path.join(os.environ["MODEL_INFERENCE_PATH"], "daemon"), "w") as mark:
            mark.write("alive")
        while True:
            time.sleep(0.05)
            with open(os.path.join(os.environ["MODEL_INFERENCE_PATH"], "daemon"), "a") as mark:
                mark.write(".")
    os._exit(0)
time.sleep(0.5)
blocked("daemon started; the test checks it is gone")
