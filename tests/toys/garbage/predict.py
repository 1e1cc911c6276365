"""Garbage toy, predict: breaks the protocol in every way the harness must catch.

Request 0 gets an unknown label, request 1 a non-JSON line before its answer,
request 2 the id of request 1 again (a duplicate, so request 2 goes missing),
request 3 an id nobody asked for; later requests are answered properly.
"""

import json
import os
import sys
from pathlib import Path

label = (Path(os.environ["MODEL_INFERENCE_PATH"]) / "label.txt").read_text(encoding="utf-8")
print(json.dumps({"ready": True}), flush=True)
previous_id = None
for number, line in enumerate(sys.stdin):
    request = json.loads(line)
    answer = {"id": request["id"], "label": label}
    if number == 0:
        answer["label"] = "no-such-class"
    elif number == 1:
        print("this line is not JSON", flush=True)
    elif number == 2:
        answer["id"] = previous_id
    elif number == 3:
        answer["id"] = "never-asked-for"
    print(json.dumps(answer), flush=True)
    previous_id = request["id"]
