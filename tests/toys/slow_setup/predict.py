"""Slow-setup toy, predict: loads for TOY_SETUP_SLEEP_S (default an hour) before saying ready."""

import json
import os
import sys
import time
from pathlib import Path

label = (Path(os.environ["MODEL_INFERENCE_PATH"]) / "label.txt").read_text(encoding="utf-8")
print("toy predict: loading a very large model", file=sys.stderr, flush=True)
time.sleep(float(os.environ.get("TOY_SETUP_SLEEP_S", "3600")))
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "label": label}), flush=True)
