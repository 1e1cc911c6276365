"""Progress lines: one JSON object per line to ONLINESIM_METRICS_PATH (when set), and stderr."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


class MetricsLog:
    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None

    def write(self, stage: str, **values) -> None:
        record = {"stage": stage, **values, "time": round(time.time(), 3)}
        line = json.dumps(record, ensure_ascii=False)
        print(line, file=sys.stderr, flush=True)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
