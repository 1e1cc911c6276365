"""Every training image decoded once per run, resized once, kept as uint8 pixels.

Decoding a JPEG costs more than a small backbone's forward pass on a GPU. The
cache decodes each file once, in worker processes (Pillow holds the GIL for
part of its work, so threads do not scale), at the largest input size any
ensemble member needs; every backbone and every augmented copy reads it. It
lives in memory when it fits its share of the memory limit, else in a
memory-mapped file in TMPDIR. This module imports no Keras: the workers load it.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np
from PIL import Image

from garbage.images import load_rgb

# Share of the memory limit the pixel cache may take in memory; the rest is for
# the backbones, their activations and the activation cache.
MEMORY_SHARE = 0.25
MAX_WORKERS = 8
CGROUP_LIMIT_FILES = ("memory.max", "memory/memory.limit_in_bytes")  # cgroup v2, v1
MEMORY_LIMIT_ENV = "ONLINESIM_MEMORY_BYTES"


@dataclass(frozen=True)
class ImageCache:
    paths: list[Path]
    pixels: np.ndarray  # (n, size, size, 3) uint8; a numpy.memmap when it did not fit in memory
    ok: np.ndarray  # bool per image: False where the file could not be decoded (pixels zero)
    decode_s: float  # wall time of the decoding

    @property
    def size(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def in_memory(self) -> bool:
        return not isinstance(self.pixels, np.memmap)


def decode_resized(path: Path, size: int) -> np.ndarray | None:
    """One file as (size, size, 3) uint8, squashed to a square as the platform resized."""
    im = load_rgb(path)
    if im is None:
        return None
    return np.asarray(im.resize((size, size), Image.BILINEAR), dtype="uint8")


def fits_in_memory(nbytes: int, limit_bytes: int, share: float = MEMORY_SHARE) -> bool:
    return nbytes <= share * limit_bytes


def memory_limit_bytes(
    cgroup_root: Path = Path("/sys/fs/cgroup"), env: Mapping[str, str] = os.environ
) -> int:
    """The smallest of physical memory, this process's cgroup limit (a container's) and the
    limit onlinesim says it enforces (ONLINESIM_MEMORY_BYTES: its process runner sets no
    cgroup)."""
    limits = [os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
    if env.get(MEMORY_LIMIT_ENV, "").isdigit():
        limits.append(int(env[MEMORY_LIMIT_ENV]))
    for name in CGROUP_LIMIT_FILES:
        try:
            text = (cgroup_root / name).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
    return min(limits)


def decode_workers() -> int:
    """Worker processes: the CPUs this process may use, capped."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def _pixel_array(shape: tuple[int, ...], in_memory: bool) -> np.ndarray:
    if in_memory:
        return np.zeros(shape, dtype="uint8")
    scratch = Path(os.environ.get("TMPDIR") or tempfile.gettempdir())
    fd, name = tempfile.mkstemp(prefix="garbage-pixels-", suffix=".u8", dir=scratch)
    os.close(fd)
    pixels = np.memmap(name, dtype="uint8", mode="w+", shape=shape)
    os.unlink(name)  # the mapping keeps the data; nothing is left behind after the run
    return pixels


def build(paths: list[Path], size: int, limit_bytes: int, workers: int) -> ImageCache:
    """Decode `paths` once at `size` px with `workers` processes (1: in this process).

    Results come back in path order, so the cache is the same at any worker count.
    """
    shape = (len(paths), size, size, 3)
    pixels = _pixel_array(shape, fits_in_memory(int(np.prod(shape)), limit_bytes))
    ok = np.zeros(len(paths), dtype=bool)
    t0 = time.perf_counter()
    if workers <= 1:
        decoded = map(decode_resized, paths, repeat(size))
        _fill(pixels, ok, decoded)
    else:
        # spawn: forking a process that has started TensorFlow's or torch's threads can hang
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            chunk = max(1, min(16, len(paths) // (4 * workers)))
            _fill(pixels, ok, pool.map(decode_resized, paths, repeat(size), chunksize=chunk))
    return ImageCache(list(paths), pixels, ok, time.perf_counter() - t0)


def _fill(pixels: np.ndarray, ok: np.ndarray, decoded) -> None:
    for i, arr in enumerate(decoded):
        if arr is not None:
            pixels[i] = arr
            ok[i] = True
