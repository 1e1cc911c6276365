"""Loading the exported folder and classifying one image: what predict.py serves."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
from PIL import ImageOps

from garbage.backbones import Preprocessing
from garbage.export import METADATA
from garbage.images import load_rgb, to_input


class Predictor:
    def __init__(self, model_dir: Path) -> None:
        meta = json.loads((model_dir / METADATA).read_text(encoding="utf-8"))
        self.classes: list[str] = meta["classes"]
        self.tta_flip = bool(meta.get("tta_flip", False))
        self.members = []
        for entry in meta["members"]:
            pre = entry["preprocessing"]
            self.members.append(
                (
                    keras.saving.load_model(model_dir / entry["file"], compile=False),
                    int(entry["input_size"]),
                    Preprocessing(tuple(pre["mean"]), float(pre["scale"]), bool(pre["bgr"])),
                    float(entry["weight"]),
                )
            )

    def warm_up(self) -> None:
        """First calls trace the graph; do them before saying ready, not on the first request."""
        for model, size, _, _ in self.members:
            for _ in range(2):
                model.predict_on_batch(np.zeros((1 + self.tta_flip, size, size, 3), "float32"))

    def scores(self, path: Path) -> np.ndarray:
        im = load_rgb(path)
        if im is None:
            return np.full(len(self.classes), 1.0 / len(self.classes))
        views = [im, ImageOps.mirror(im)] if self.tta_flip else [im]
        total = np.zeros(len(self.classes))
        for model, size, pre, weight in self.members:
            x = np.stack([to_input(v, size, pre) for v in views])
            total += weight * np.asarray(model.predict_on_batch(x)).mean(axis=0)
        return total

    def answer(self, request: dict) -> dict:
        s = self.scores(Path(request["path"]))
        return {
            "id": request["id"],
            "label": self.classes[int(np.argmax(s))],
            "scores": {c: round(float(v), 5) for c, v in zip(self.classes, s, strict=True)},
        }
