"""Network toy, train: fails if the network is reachable, else exports a constant model."""

import os
from pathlib import Path

from probe import exit_if_network_reachable

exit_if_network_reachable()
classes = sorted(p.name for p in Path(os.environ["IMAGE_TRAIN_INPUT_PATH"]).iterdir() if p.is_dir())
model = Path(os.environ["MODEL_INFERENCE_PATH"])
model.mkdir(parents=True, exist_ok=True)
(model / "label.txt").write_text(classes[0], encoding="utf-8")
