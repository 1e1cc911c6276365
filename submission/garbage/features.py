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
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import keras
import numpy as np
from PIL import ImageOps

from garbage.backbones import BackboneSpec
from garbage.images import augment, load_rgb, stable_image_id, to_input

BATCH = 32
POOL_BATCH = 256
MIRRORED = -1  # copy number of the left-right mirrored image (test-time augmentation)
# In the cache key: features cached under an older augmentation seeding are not reused.
# 2: one rng per image from (seed, copy, stable image id); 1 (unnamed) seeded one rng per batch.
AUGMENT_SCHEME = 2
MAX_DECODE_WORKERS = 8


def cache_dir() -> Path:
    path = Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "garbage-features"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(spec: BackboneSpec, split: str, paths: list[Path], copy: int, seed: int) -> str:
    weights = spec.weights_path()
    stamp = weights.stat().st_mtime_ns if weights is not None and weights.is_file() else None
    h = hashlib.sha1(
        f"{AUGMENT_SCHEME}|{spec.name}|{stamp}|{split}|{spec.input_size}|{copy}|{seed}".encode()
    )
    for p in paths:
        st = p.stat()
        h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:20]


def decode_workers() -> int:
    """Threads for decoding: the CPUs this process may use, capped (Pillow releases the GIL
    while it decodes and resizes, so threads run in parallel; past a few, the predict call
    competes with them for the same cores)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DECODE_WORKERS))


def model_input(spec: BackboneSpec, path: Path, copy: int, seed: int) -> np.ndarray | None:
    """Copy `copy` of one image as model input, or None when it cannot be decoded.

    Each image's augmentation draw comes from its own rng, seeded by (seed, copy, its stable
    id): it differs between images and does not depend on batching or thread order.
    """
    im = load_rgb(path)
    if im is None:
        return None
    if copy > 0:
        im = augment(im, np.random.default_rng([seed, copy - MIRRORED, stable_image_id(path)]))
    elif copy == MIRRORED:
        im = ImageOps.mirror(im)
    return to_input(im, spec.input_size, spec.preprocessing)


def input_batches(
    spec: BackboneSpec, paths: list[Path], copy: int, seed: int, workers: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(inputs, readable mask) per batch of BATCH paths, decoded by `workers` threads.

    The next batch is submitted before this one is handed out, so its decoding overlaps
    the caller's predict on this one.
    """
    blank = np.zeros((spec.input_size, spec.input_size, 3), "float32")
    with ThreadPoolExecutor(workers, thread_name_prefix="decode") as pool:

        def submit(start: int) -> list[Future]:
            batch = paths[start : start + BATCH]
            return [pool.submit(model_input, spec, p, copy, seed) for p in batch]

        ahead = submit(0)
        for start in range(0, len(paths), BATCH):
            current, ahead = ahead, submit(start + BATCH)  # past the end: nothing submitted
            arrays = [f.result() for f in current]
            ok = np.asarray([a is not None for a in arrays])
            yield np.stack([blank if a is None else a for a in arrays]), ok


def split_activations(
    bottom: keras.Model,
    spec: BackboneSpec,
    split: str,
    paths: list[Path],
    copy: int,
    seed: int,
    cache: bool = True,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bottom-part activations (float16) of copy `copy` of each image, and a readable mask.

    copy 0 is the plain image, 1..k random augmentations, MIRRORED the mirror image.
    Pass cache=False for randomly initialised backbones: their activations differ per run.
    `workers` decoding threads (default decode_workers()) give the same arrays at any count.
    """
    key = cache_key(spec, split, paths, copy, seed)
    feats_file, ok_file = cache_dir() / f"{key}.npy", cache_dir() / f"{key}.ok.npy"
    if cache and feats_file.is_file() and ok_file.is_file():
        return np.load(feats_file), np.load(ok_file)
    chunks, oks = [], []
    for x, ok in input_batches(spec, paths, copy, seed, workers or decode_workers()):
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
    workers = decode_workers()
    x, _ = next(input_batches(spec, sample, 0, 0, workers))
    predict_full_batch(bottom, x, BATCH)
    t0 = time.perf_counter()
    x, _ = next(input_batches(spec, sample, 1, 0, workers))
    predict_full_batch(bottom, x, BATCH)
    return (time.perf_counter() - t0) / len(sample)
