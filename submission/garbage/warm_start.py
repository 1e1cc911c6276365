"""Second transfer: start from weights/pretrained/ (a model this submission exported earlier).

`onlinesim pretrain` installs an earlier export of this submission into
weights/pretrained/. When its classes are the training data's, each backbone
starts from the pretrained member's backbone weights instead of ImageNet's
(matched by layer name, so another split point still loads); the head is
trained afresh on the new cache.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import keras

from garbage.backbones import Parts
from garbage.config import PACKAGE_ROOT
from garbage.export import METADATA

PRETRAINED_DIR = PACKAGE_ROOT / "weights" / "pretrained"


@dataclass(frozen=True)
class WarmStart:
    model_file: Path
    fingerprint: str  # changes whenever the installed weights change (feature cache key)


def find(directory: Path, backbone: str, classes: list[str]) -> WarmStart | None:
    """The pretrained member for `backbone`, or None (said on stderr) when none fits."""
    meta_file = directory / METADATA
    if not meta_file.is_file():
        return None
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("classes") != classes:
        print(
            f"{directory}: its classes differ from the training data's; not used", file=sys.stderr
        )
        return None
    for member in meta.get("members", []):
        if member.get("backbone") == backbone:
            model_file = directory / member["file"]
            digest = hashlib.sha1(meta_file.read_bytes())
            digest.update(str(model_file.stat().st_mtime_ns).encode())
            return WarmStart(model_file, digest.hexdigest()[:12])
    return None


def _weighted_layers(model: keras.Model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _weighted_layers(layer)
        elif layer.weights:
            yield layer


def load_into(parts: Parts, warm: WarmStart) -> int:
    """Copy same-named, same-shaped backbone layers from the pretrained member; count them."""
    loaded = keras.saving.load_model(warm.model_file, compile=False)
    source = {layer.name: layer.get_weights() for layer in _weighted_layers(loaded)}
    copied = 0
    for model in (parts.bottom, parts.top):
        for layer in _weighted_layers(model):
            weights = source.get(layer.name)
            current = layer.get_weights()
            if weights is not None and [w.shape for w in weights] == [w.shape for w in current]:
                layer.set_weights(weights)
                copied += 1
    return copied
