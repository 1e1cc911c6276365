"""Too-slow toy, predict: sleeps TOY_SLEEP_S (default 1.0) before every answer."""

import json
import os
import sys
import time
from pathlib import Path

label = (Path(os.environ["MODEL_INFERENCE_PATH"]) / "label.txt").read_text(encoding="utf-8")
sleep_s = float(os.environ.get("TOY_SLEEP_S", "1.0"))
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    time.sleep(sleep_s)
    print(json.dumps({"id": request["id"], "label": label}), flush=True)
