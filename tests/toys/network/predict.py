"""Network toy, predict: fails before ready if the network is reachable."""

import json
import os
import sys
from pathlib import Path

from probe import exit_if_network_reachable

exit_if_network_reachable()
label = (Path(os.environ["MODEL_INFERENCE_PATH"]) / "label.txt").read_text(encoding="utf-8")
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps({"id": request["id"], "label": label}), flush=True)
