"""Allocate and touch memory in steps, logging the resident size after each step.

TOY_STEP_MB (default 64) per step every TOY_STEP_S (default 0.05 s), up to
TOY_MAX_MB (default: no end); then hold it. Standard library only, so the
docker runner's image needs nothing extra.
"""

import os
import sys
import time

PAGE = 4096


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def hog() -> None:
    step = int(float(os.environ.get("TOY_STEP_MB", "64")) * 2**20)
    pause = float(os.environ.get("TOY_STEP_S", "0.05"))
    limit = float(os.environ.get("TOY_MAX_MB", "inf")) * 2**20
    chunks = []
    while (len(chunks) + 1) * step <= limit:
        chunk = bytearray(step)
        chunk[::PAGE] = b"\x01" * len(range(0, step, PAGE))
        chunks.append(chunk)
        print(
            f"toy hog: allocated {len(chunks) * step} rss {resident_bytes()} at {time.time():.3f}",
            file=sys.stderr,
            flush=True,
        )
        time.sleep(pause)
    while True:
        time.sleep(3600)
