"""Frozen-backbone features, computed once per image (plus augmented copies) and cached.

1st place's key idea: with a frozen backbone, the expensive forward pass runs
once per image; everything after it (heads, many epochs, even fine-tuning the
top blocks) trains on the cache. Images come decoded from the run's pixel cache
(`image_cache`) and are augmented inside the feature model (`augment`). The
activations live in TMPDIR, keyed by the backbone, the split point and the
image files, so a rerun reuses them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from garbage import augment
from garbage.backbones import BackboneSpec
from garbage.image_cache import ImageCache

BATCH = 32  # when the device plan gives none
POOL_BATCH = 256
# In the cache key: features cached under an older augmentation are not reused.
# 4: crop, flip and resize as one separable bilinear sampling of the pixel cache;
# 3: crops drawn as fractions, an affine transform on the device, then a resize;
# 2: Pillow per copy, one rng per image; 1 (unnamed) seeded one rng per batch.
AUGMENT_SCHEME = 4


@dataclass(frozen=True)
class Extractor:
    """A backbone's bottom behind the copy layer: cached pixels in, split activations out."""

    spec: BackboneSpec
    model: keras.Model  # (pixels, rows, columns, brightness) -> activations
    augmenter: keras.Model  # the same inputs -> the bottom's input
    batch: int

    @classmethod
    def build(
        cls, spec: BackboneSpec, bottom: keras.Model, cache_size: int, batch: int = BATCH
    ) -> Extractor:
        model = augment.copy_model(bottom, spec.input_size, cache_size, spec.preprocessing)
        augmenter = keras.Model(model.inputs, model.get_layer("copy").output)
        return cls(spec, model, augmenter, batch)


@dataclass(frozen=True)
class Rates:
    """Measured seconds per image of one warm batch: augmentation alone, and through the bottom."""

    augment_s: float
    bottom_s: float  # augmentation included


def cache_dir() -> Path:
    path = Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "garbage-features"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(
    spec: BackboneSpec, split: str, paths: list[Path], copy: int, seed: int, cache_size: int
) -> str:
    weights = spec.weights_path()
    stamp = weights.stat().st_mtime_ns if weights is not None and weights.is_file() else None
    h = hashlib.sha1(
        f"{AUGMENT_SCHEME}|{spec.name}|{stamp}|{split}|{spec.input_size}|{cache_size}|"
        f"{copy}|{seed}".encode()
    )
    for p in paths:
        st = p.stat()
        h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def copy_inputs(
    ex: Extractor, images: ImageCache, rows: np.ndarray, copy: int, seed: int
) -> list[np.ndarray]:
    """The copy model's inputs for images `rows`: pixels, sampling positions for the
    backbone's input size, brightness."""
    batch = augment.draws([images.paths[i] for i in rows], copy, seed)
    return [
        np.asarray(images.pixels[rows]),
        *augment.coordinates(batch, images.size, ex.spec.input_size),
        augment.brightness(batch),
    ]


def split_activations(
    ex: Extractor,
    images: ImageCache,
    rows: np.ndarray,
    copy: int,
    seed: int,
    split: str,
    cache: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-part activations (float16) of copy `copy` of images `rows`, and a readable mask.

    copy 0 is the plain image, 1..k random augmentations, augment.MIRRORED the mirror image.
    Pass cache=False for randomly initialised backbones: their activations differ per run.
    """
    rows = np.asarray(rows, dtype="int64")
    paths = [images.paths[i] for i in rows]
    key = cache_key(ex.spec, split, paths, copy, seed, images.size)
    feats_file, ok_file = cache_dir() / f"{key}.npy", cache_dir() / f"{key}.ok.npy"
    if cache and feats_file.is_file() and ok_file.is_file():
        return np.load(feats_file), np.load(ok_file)
    chunks = [
        predict_full_batch(
            ex.model,
            copy_inputs(ex, images, rows[i : i + ex.batch], copy, seed),
            ex.batch,
        ).astype("float16")
        for i in range(0, len(rows), ex.batch)
    ]
    feats, ok = np.concatenate(chunks), images.ok[rows]
    if cache:
        np.save(feats_file, feats)
        np.save(ok_file, ok)
    return feats, ok


def predict_full_batch(model, x: np.ndarray | list[np.ndarray], size: int) -> np.ndarray:
    """`model` on x (an array or a list of aligned arrays), a short last batch padded with
    zeros to `size` and cut back.

    Every call then has one input shape: jax compiles once per shape and
    TensorFlow retraces, each costing seconds that no budget callback can stop.
    Inference-mode layers treat samples independently, so padding changes nothing.
    """
    arrays = x if isinstance(x, list) else [x]
    n = len(arrays[0])
    if n < size:
        arrays = [np.concatenate([a, np.zeros((size - n, *a.shape[1:]), a.dtype)]) for a in arrays]
    out = model.predict_on_batch(arrays if isinstance(x, list) else arrays[0])
    return np.asarray(out)[:n]


def pooled(top: keras.Model, activations: np.ndarray) -> np.ndarray:
    """Top part over cached activations -> pooled feature vectors (float32)."""
    out = [
        predict_full_batch(top, activations[i : i + POOL_BATCH].astype("float32"), POOL_BATCH)
        for i in range(0, len(activations), POOL_BATCH)
    ]
    return np.concatenate(out).astype("float32")


def measure(ex: Extractor, images: ImageCache) -> Rates:
    """Seconds per image of one augmented batch, after a warm-up batch of the same shape
    (jax compiles once per input shape, so a smaller warm-up would leave a compile inside)."""
    rows = np.arange(min(len(images.paths), ex.batch))
    timed = {}
    for name, model in (("augment", ex.augmenter), ("bottom", ex.model)):
        predict_full_batch(model, copy_inputs(ex, images, rows, 0, 0), ex.batch)
        t0 = time.perf_counter()
        predict_full_batch(model, copy_inputs(ex, images, rows, 1, 0), ex.batch)
        timed[name] = (time.perf_counter() - t0) / len(rows)
    return Rates(timed["augment"], timed["bottom"])
