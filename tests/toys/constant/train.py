"""Toy train: remember the first class folder (sorted) as the answer for every image."""

import os
import sys
from pathlib import Path

classes = sorted(p.name for p in Path(os.environ["IMAGE_TRAIN_INPUT_PATH"]).iterdir() if p.is_dir())
model = Path(os.environ["MODEL_INFERENCE_PATH"])
model.mkdir(parents=True, exist_ok=True)
(model / "label.txt").write_text(classes[0], encoding="utf-8")
print(f"toy train: will answer {classes[0]!r} for every image", file=sys.stderr)
