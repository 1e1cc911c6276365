"""Frozen-backbone features, computed once per image (plus augmented copies) and cached.

1st place's key idea: with a frozen backbone, the expensive forward pass runs
once per image; everything after it (heads, many epochs, even fine-tuning the
top blocks) trains on the cache. The cache lives in TMPDIR, keyed by the
backbone, the split point and the image files, so a rerun reuses it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
from PIL import ImageOps

from garbage.backbones import BackboneSpec
from garbage.images import augment, load_rgb, to_input

BATCH = 32
POOL_BATCH = 256
MIRRORED = -1  # copy number of the left-right mirrored image (test-time augmentation)


def cache_dir() -> Path:
    path = Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "garbage-features"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(spec: BackboneSpec, split: str, paths: list[Path], copy: int, seed: int) -> str:
    weights = spec.weights_path()
    stamp = weights.stat().st_mtime_ns if weights is not None and weights.is_file() else None
    h = hashlib.sha1(f"{spec.name}|{stamp}|{split}|{spec.input_size}|{copy}|{seed}".encode())
    for p in paths:
        st = p.stat()
        h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def _inputs(
    spec: BackboneSpec, paths: list[Path], copy: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, copy - MIRRORED])
    arrays, ok = [], []
    for path in paths:
        im = load_rgb(path)
        ok.append(im is not None)
        if im is None:
            arrays.append(np.zeros((spec.input_size, spec.input_size, 3), "float32"))
            continue
        if copy > 0:
            im = augment(im, rng)
        elif copy == MIRRORED:
            im = ImageOps.mirror(im)
        arrays.append(to_input(im, spec.input_size, spec.preprocessing))
    return np.stack(arrays), np.asarray(ok)


def split_activations(
    bottom: keras.Model,
    spec: BackboneSpec,
    split: str,
    paths: list[Path],
    copy: int,
    seed: int,
    cache: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-part activations (float16) of copy `copy` of each image, and a readable mask.

    copy 0 is the plain image, 1..k random augmentations, MIRRORED the mirror image.
    Pass cache=False for randomly initialised backbones: their activations differ per run.
    """
    key = cache_key(spec, split, paths, copy, seed)
    feats_file, ok_file = cache_dir() / f"{key}.npy", cache_dir() / f"{key}.ok.npy"
    if cache and feats_file.is_file() and ok_file.is_file():
        return np.load(feats_file), np.load(ok_file)
    chunks, oks = [], []
    for start in range(0, len(paths), BATCH):
        x, ok = _inputs(spec, paths[start : start + BATCH], copy, seed)
        chunks.append(predict_full_batch(bottom, x, BATCH).astype("float16"))
        oks.append(ok)
    feats, ok = np.concatenate(chunks), np.concatenate(oks)
    if cache:
        np.save(feats_file, feats)
        np.save(ok_file, ok)
    return feats, ok


def predict_full_batch(model: keras.Model, x: np.ndarray, size: int) -> np.ndarray:
    """`model` on x, a short last batch padded with zeros to `size` and cut back.

    Every call then has one input shape: jax compiles once per shape and
    TensorFlow retraces, each costing seconds that no budget callback can stop.
    Inference-mode layers treat samples independently, so padding changes nothing.
    """
    if len(x) == size:
        return np.asarray(model.predict_on_batch(x))
    padded = np.zeros((size, *x.shape[1:]), dtype=x.dtype)
    padded[: len(x)] = x
    return np.asarray(model.predict_on_batch(padded))[: len(x)]


def pooled(top: keras.Model, activations: np.ndarray) -> np.ndarray:
    """Top part over cached activations -> pooled feature vectors (float32)."""
    out = [
        predict_full_batch(top, activations[i : i + POOL_BATCH].astype("float32"), POOL_BATCH)
        for i in range(0, len(activations), POOL_BATCH)
    ]
    return np.concatenate(out).astype("float32")


def seconds_per_image(bottom: keras.Model, spec: BackboneSpec, paths: list[Path]) -> float:
    """Measured cost of one image through the bottom (decode included), after a warm-up batch.

    The warm-up batch has the timed batch's shape: jax compiles once per input
    shape, so a smaller warm-up would leave a compile inside the timing.
    """
    sample = paths[: min(len(paths), BATCH)]
    x, _ = _inputs(spec, sample, 0, 0)
    predict_full_batch(bottom, x, BATCH)
    t0 = time.perf_counter()
    x, _ = _inputs(spec, sample, 1, 0)
    predict_full_batch(bottom, x, BATCH)
    return (time.perf_counter() - t0) / len(sample)
