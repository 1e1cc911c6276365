"""Warm-centroid toy, train: mean colour per class, warm-started from weights/pretrained/.

It stands in for a second transfer: when the package carries pretrained
centroids for the same classes, they are merged (weighted by image counts)
with what this run sees, and the export says where training started.
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image


def colour(path: Path) -> list[float]:
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB").resize((16, 16)), dtype=np.float32)
    return pixels.reshape(-1, 3).mean(axis=0).tolist()


root = Path(os.environ["IMAGE_TRAIN_INPUT_PATH"])
sums, counts = {}, {}
for folder in sorted(p for p in root.iterdir() if p.is_dir()):
    colours = [colour(f) for f in sorted(folder.iterdir()) if f.is_file()]
    sums[folder.name] = np.sum(colours, axis=0)
    counts[folder.name] = len(colours)

pretrained = Path(__file__).resolve().parent / "weights" / "pretrained" / "model.json"
start = {"started_from": "scratch"}
if pretrained.is_file():
    previous = json.loads(pretrained.read_text(encoding="utf-8"))
    if sorted(previous["counts"]) == sorted(counts):
        for name, centroid in previous["centroids"].items():
            sums[name] = sums[name] + np.asarray(centroid) * previous["counts"][name]
            counts[name] += previous["counts"][name]
        start = {
            "started_from": "pretrained",
            "pretrained_images": sum(previous["counts"].values()),
        }
print(f"toy train: started from {start['started_from']}", file=sys.stderr)

model = Path(os.environ["MODEL_INFERENCE_PATH"])
model.mkdir(parents=True, exist_ok=True)
exported = {
    "centroids": {name: (sums[name] / counts[name]).tolist() for name in sums},
    "counts": counts,
    "start": start,
}
(model / "model.json").write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
