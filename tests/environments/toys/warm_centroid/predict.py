"""Warm-centroid toy, predict: the class whose mean colour is nearest to the image's."""

import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

model = json.loads((Path(os.environ["MODEL_INFERENCE_PATH"]) / "model.json").read_text("utf-8"))
names = list(model["centroids"])
matrix = np.array([model["centroids"][n] for n in names], dtype=np.float32)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    with Image.open(request["path"]) as image:
        pixels = np.asarray(image.convert("RGB").resize((16, 16)), dtype=np.float32)
    distances = np.linalg.norm(matrix - pixels.reshape(-1, 3).mean(axis=0), axis=1)
    print(json.dumps({"id": request["id"], "label": names[int(distances.argmin())]}), flush=True)
