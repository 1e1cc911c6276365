"""Blocking waits that an interrupt of the main thread can cut short.

Ray cancels a task by interrupting its main thread, which Python sees only
between bytecodes, never inside one blocking `Event.wait` or `Queue.get`: a
phase waited on for its whole budget ignored a sweep's Ctrl-C until Ray killed
the worker by force, and no report was written. Both runners wait through
these, in slices; an item or an exit still ends the wait at once.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

SLICE_S = 0.2


def _slice(deadline: float | None) -> float:
    return SLICE_S if deadline is None else min(SLICE_S, max(0.0, deadline - time.monotonic()))


def _deadline(timeout_s: float | None) -> float | None:
    return None if timeout_s is None else time.monotonic() + max(0.0, timeout_s)


def wait_for(event: threading.Event, timeout_s: float | None) -> bool:
    """`event.wait(timeout_s)`, interruptible."""
    deadline = _deadline(timeout_s)
    while not event.wait(_slice(deadline)):
        if deadline is not None and time.monotonic() >= deadline:
            return False
    return True


def get_within(items: queue.Queue, timeout_s: float) -> Any:
    """`items.get(timeout=timeout_s)`, interruptible; raises queue.Empty at the timeout."""
    deadline = _deadline(timeout_s)
    while True:
        try:
            return items.get(timeout=_slice(deadline))
        except queue.Empty:
            if time.monotonic() >= deadline:
                raise
