"""Hostile toy: floods its output, writes an endless line, closes stdout or fills the disk.

TOY_DO picks one: flood (stdout and stderr without end), long_line (one stdout
line of TOY_LINE_MB MiB, no newline), close_stdout (predict: ready, then closes
stdout and lives on), fill_disk (writes into MODEL_INFERENCE_PATH or TMPDIR
until stopped). Train exports a model first, so a verdict is about the act.
"""

import json
import os
import sys
import time

act = os.environ["TOY_DO"]
phase = os.environ["ONLINESIM_PHASE"]
if phase == "train":
    with open(os.path.join(os.environ["MODEL_INFERENCE_PATH"], "model.txt"), "w") as model:
        model.write("x")
else:
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()

if act == "flood":
    block = b"flood " * 10000 + b"\n"
    while True:
        os.write(1, block)
        os.write(2, block)
elif act == "long_line":
    chunk = b"x" * (1 << 20)
    for _ in range(int(os.environ.get("TOY_LINE_MB", "64"))):
        os.write(1, chunk)
    time.sleep(3600)
elif act == "close_stdout":
    os.close(1)
    time.sleep(3600)
elif act == "fill_disk":
    folder = os.environ["MODEL_INFERENCE_PATH" if phase == "train" else "TMPDIR"]
    with open(os.path.join(folder, "filler.bin"), "wb") as filler:
        while True:
            filler.write(b"\0" * (1 << 20))
            filler.flush()
            os.fsync(filler.fileno())
