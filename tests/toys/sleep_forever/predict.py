"""Sleep-forever toy, predict: says ready, then never answers."""

import json
import sys
import time

print(json.dumps({"ready": True}), flush=True)
sys.stdin.readline()
while True:
    time.sleep(3600)
