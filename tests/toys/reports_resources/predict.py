"""Reports what predict sees, then answers the remembered label for every request."""

import json
import os
import sys
from pathlib import Path

from sees import seen

print(f"toy sees: {seen()}", file=sys.stderr, flush=True)
label = (Path(os.environ["MODEL_INFERENCE_PATH"]) / "label.txt").read_text(encoding="utf-8")
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "label": label}), flush=True)
