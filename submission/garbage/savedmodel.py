"""The exported ensemble as the 2019 platform served it: one SavedModel plus its serve settings.

The platform read `$MODEL_INFERENCE_PATH/SavedModel`, resized each image to one
declared size and applied one declared mean/scale/channel order before the
model (docs/platform.md). The ensemble's members differ in input size and
normalisation, so the SavedModel takes raw RGB pixels (0..255) at the largest
member's size and does each member's resize and normalisation inside the graph;
its serve settings are then that size, mean 0, scale 1, channels as decoded.
A smaller member sees the image resized twice (original -> largest -> its own),
a small difference from predict.py, which resizes the original once.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

from garbage.export import METADATA

SAVEDMODEL = "SavedModel"
CLASS_INDEX = "class_index.txt"


def serve_settings(metadata: dict) -> dict:
    """The `[predict]` serve keys (docs/contract.md) for the SavedModel of `metadata`."""
    size = max(int(member["input_size"]) for member in metadata["members"])
    return {"input_size": size, "mean": 0.0, "scale": 1.0, "reverse_channels": False}


def class_index_text(classes: list[str]) -> str:
    """The platform's labels file: `name index`, index = position in the model's output."""
    return "".join(f"{name} {index}\n" for index, name in enumerate(classes))


def _member_branch(pixels, entry: dict, model: keras.Model, serve_size: int):
    size = int(entry["input_size"])
    pre = entry["preprocessing"]
    x = pixels if size == serve_size else keras.layers.Resizing(size, size, "bilinear")(pixels)
    if pre["bgr"]:
        x = keras.layers.Lambda(lambda t: t[..., ::-1])(x)
    mean = np.asarray(pre["mean"], dtype="float32")
    x = keras.layers.Rescaling(1.0 / float(pre["scale"]), offset=-mean / float(pre["scale"]))(x)
    return model(x)


def served_model(model_dir: Path) -> tuple[keras.Model, dict]:
    """Raw pixels -> the members' weighted mean of class probabilities, and its metadata."""
    metadata = json.loads((model_dir / METADATA).read_text(encoding="utf-8"))
    serve_size = serve_settings(metadata)["input_size"]
    pixels = keras.Input((serve_size, serve_size, 3), name="image")
    total = sum(float(entry["weight"]) for entry in metadata["members"])
    branches = []
    for number, entry in enumerate(metadata["members"]):
        loaded = keras.saving.load_model(model_dir / entry["file"], compile=False)
        # Members of one backbone share a name, which one graph does not allow.
        model = keras.Model(loaded.input, loaded.output, name=f"member{number}")
        scores = _member_branch(pixels, entry, model, serve_size)
        branches.append(keras.layers.Rescaling(float(entry["weight"]) / total)(scores))
    output = branches[0] if len(branches) == 1 else keras.layers.Add()(branches)
    return keras.Model(pixels, output, name="served_ensemble"), metadata


def export_savedmodel(model_dir: Path) -> dict:
    """Write model_dir/SavedModel and class_index.txt beside it; return the serve settings."""
    model, metadata = served_model(model_dir)
    model.export(str(model_dir / SAVEDMODEL), format="tf_saved_model", verbose=False)
    (model_dir / CLASS_INDEX).write_text(class_index_text(metadata["classes"]), encoding="utf-8")
    return serve_settings(metadata)
