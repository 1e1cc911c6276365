"""resources.jsonl: every resource sample of a run, on one clock, as it arrives.

Written line by line (not at the end), so a run killed half-way still shows
its memory curve.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

from harness.run.observer import RunObserver
from harness.runners.base import ResourceSample


class ResourceTrace:
    """Appends each sample to resources.jsonl (t: seconds since run start); tells the observer."""

    def __init__(self, path: Path, started: float, observer: RunObserver) -> None:
        self.path = path
        self.started = started
        self.observer = observer
        self._lock = threading.Lock()
        path.touch()

    def callback(self, phase: str) -> Callable[[ResourceSample], None]:
        def on_sample(sample: ResourceSample) -> None:
            line = {
                "t": round(time.monotonic() - self.started, 3),
                "phase": phase,
                "memory_bytes": sample.memory_bytes,
                "cpu_percent": sample.cpu_percent,
                "gpu_memory_bytes": sample.gpu_memory_bytes,
                "gpu_utilization": sample.gpu_utilization,
            }
            with self._lock, self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line) + "\n")
            self.observer.sample(phase, sample)

        return on_sample
