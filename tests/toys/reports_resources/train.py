"""Reports what train sees, then remembers the first class (sorted) as every answer."""

import os
from pathlib import Path

from sees import seen

print(f"toy sees: {seen()}", flush=True)
classes = sorted(p.name for p in Path(os.environ["IMAGE_TRAIN_INPUT_PATH"]).iterdir() if p.is_dir())
model = Path(os.environ["MODEL_INFERENCE_PATH"])
model.mkdir(parents=True, exist_ok=True)
(model / "label.txt").write_text(classes[0], encoding="utf-8")
