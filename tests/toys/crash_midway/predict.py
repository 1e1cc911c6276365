"""Crash-midway toy, predict: answers TOY_CRASH_AFTER requests (default 3), then exits 3."""

import json
import os
import sys
from pathlib import Path

label = (Path(os.environ["MODEL_INFERENCE_PATH"]) / "label.txt").read_text(encoding="utf-8")
crash_after = int(os.environ.get("TOY_CRASH_AFTER", "3"))
print(json.dumps({"ready": True}), flush=True)
for answered, line in enumerate(sys.stdin):
    if answered == crash_after:
        print(f"toy predict: crashing after {answered} answers", file=sys.stderr, flush=True)
        sys.exit(3)
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "label": label}), flush=True)
