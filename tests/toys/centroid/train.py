"""Centroid toy, train: a real tiny learner, the mean colour of each class."""

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
centroids = {}
for folder in sorted(p for p in root.iterdir() if p.is_dir()):
    colours = [colour(f) for f in sorted(folder.iterdir()) if f.is_file()]
    centroids[folder.name] = np.mean(colours, axis=0).tolist()
    print(f"toy train: {folder.name}: {len(colours)} images", file=sys.stderr)
model = Path(os.environ["MODEL_INFERENCE_PATH"])
model.mkdir(parents=True, exist_ok=True)
(model / "centroids.json").write_text(json.dumps(centroids, ensure_ascii=False), encoding="utf-8")
