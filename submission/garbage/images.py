"""Reading the training folders and turning image files into model inputs."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps

if TYPE_CHECKING:  # decoding worker processes import this module: keep Keras out of them
    from garbage.backbones import Preprocessing

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"}


class DataError(ValueError):
    """The training folder cannot be trained on (no classes, no images)."""


@dataclass(frozen=True)
class Dataset:
    classes: list[str]
    paths: list[Path]
    labels: np.ndarray  # int index into classes


def list_dataset(root: Path) -> Dataset:
    """Class folders (sorted names; the contest's class_index order) and their image files."""
    if not root.is_dir():
        raise DataError(f"training folder {root} does not exist")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    paths, labels = [], []
    for index, name in enumerate(classes):
        for path in sorted((root / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
                paths.append(path)
                labels.append(index)
    if len(classes) < 2 or not paths:
        raise DataError(f"{root} needs at least 2 class folders with images; found {classes}")
    return Dataset(classes, paths, np.asarray(labels, dtype="int64"))


def stratified_split(
    labels: np.ndarray, fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation): `fraction` of each class held out, at least one if it has 2+."""
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        n_val = int(round(len(idx) * fraction))
        if len(idx) >= 2:
            n_val = min(max(n_val, 1), len(idx) - 1)
        else:
            n_val = 0
        val.extend(idx[:n_val])
        train.extend(idx[n_val:])
    return np.sort(np.asarray(train, dtype="int64")), np.sort(np.asarray(val, dtype="int64"))


def load_rgb(path: Path) -> Image.Image | None:
    """The image as RGB, or None (logged) when the file cannot be decoded."""
    try:
        with Image.open(path) as im:
            return ImageOps.exif_transpose(im).convert("RGB")
    except (OSError, ValueError) as exc:
        print(f"skipping unreadable image {path}: {exc}", file=sys.stderr)
        return None


def stable_image_id(path: Path) -> int:
    """A 64-bit id from the class folder and file name: the same for an image wherever the
    data set lies and wherever the image sits in a list, a batch or a thread's queue."""
    digest = hashlib.sha1(f"{path.parent.name}/{path.name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def to_input(im: Image.Image, size: int, pre: Preprocessing) -> np.ndarray:
    """Resize to the model's input size and normalise, as the platform did."""
    arr = np.asarray(im.resize((size, size), Image.BILINEAR), dtype="float32")
    if pre.bgr:
        arr = arr[..., ::-1]
    return (arr - np.asarray(pre.mean, dtype="float32")) / pre.scale
