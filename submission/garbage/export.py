"""Writing the model folder: one .keras file per ensemble member plus metadata.json.

Files are written under temporary names and moved into place, metadata last,
so that a run stopped mid-export still leaves the previous complete export.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import keras

from garbage.backbones import BackboneSpec

METADATA = "metadata.json"


@dataclass
class ExportedMember:
    spec: BackboneSpec
    model: keras.Model  # image (normalised) -> class probabilities
    weight: float


def image_model(spec: BackboneSpec, bottom, top, head) -> keras.Model:
    inp = keras.Input((spec.input_size, spec.input_size, 3), name="image")
    return keras.Model(inp, head(top(bottom(inp))), name=f"{spec.name}_classifier")


def export(model_dir: Path, classes: list[str], members: list[ExportedMember], info: dict) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for i, member in enumerate(members):
        name = f"member{i}.keras"
        tmp = model_dir / f"member{i}.tmp.keras"
        member.model.save(tmp)
        os.replace(tmp, model_dir / name)
        entries.append(
            {
                "file": name,
                "backbone": member.spec.name,
                "input_size": member.spec.input_size,
                "preprocessing": member.spec.preprocessing.to_dict(),
                "weight": member.weight,
            }
        )
    metadata = {"classes": classes, "members": entries, **info}
    tmp = model_dir / (METADATA + ".tmp")
    tmp.write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, model_dir / METADATA)
    for stale in model_dir.glob("member*.keras"):
        if stale.name not in {e["file"] for e in entries}:
            stale.unlink()
