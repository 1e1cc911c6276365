"""The hold-out reserve: a fixed share of each class that test splits come from.

The reserve depends only on the class, the file name, the fraction and the
seed, never on a profile's sizes. So every profile tests on images from the
same reserve, and `pretrain` (which trains on the complement, the pool) can
never have seen a test image. Membership is a ranking by a seeded hash of the
name, so adding images to a class moves few others in or out.

Data sets hold exact duplicates under different names (TrashNet does). A pool
image with the same bytes as a reserve image would let training, or
`pretrain`, see a test image, so such copies are left out of the pool.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from harness.data.image_reads import image_sha256
from harness.data.scan import Dataset


@dataclass(frozen=True)
class Holdout:
    """Each class's images split into the reserve (test) and the pool (train)."""

    reserve: dict[str, list[Path]]
    pool: dict[str, list[Path]]
    fraction: float
    seed: int
    duplicates_left_out: tuple[Path, ...] = ()

    @property
    def reserve_count(self) -> int:
        return sum(len(files) for files in self.reserve.values())

    @property
    def pool_count(self) -> int:
        return sum(len(files) for files in self.pool.values())

    def summary(self) -> dict:
        return {
            "fraction": self.fraction,
            "seed": self.seed,
            "reserve_images": self.reserve_count,
            "pool_images": self.pool_count,
            "duplicates_left_out": len(self.duplicates_left_out),
        }


def reserve_size(count: int, fraction: float) -> int:
    """How many of a class's `count` images are reserved: at least one, never all."""
    if count < 2:
        return 0
    return min(count - 1, max(1, round(count * fraction)))


def _rank_key(seed: int, label: str, path: Path) -> bytes:
    return hashlib.sha256(f"{seed}\0{label}\0{path.name}".encode()).digest()


def split_holdout(dataset: Dataset, fraction: float, seed: int) -> Holdout:
    """The reserve and the pool of every class of `dataset`, both in sorted file order.

    Pool images with the same bytes as any reserve image are left out of the pool.
    """
    reserve: dict[str, list[Path]] = {}
    pool: dict[str, list[Path]] = {}
    for label, files in dataset.images.items():
        ranked = sorted(files, key=lambda path: _rank_key(seed, label, path))
        chosen = set(ranked[: reserve_size(len(files), fraction)])
        reserve[label] = [path for path in files if path in chosen]
        pool[label] = [path for path in files if path not in chosen]
    reserved = {image_sha256(path) for files in reserve.values() for path in files}
    duplicates: list[Path] = []
    for label, files in pool.items():
        kept: list[Path] = []
        for path in files:
            (duplicates if image_sha256(path) in reserved else kept).append(path)
        pool[label] = kept
    return Holdout(reserve, pool, fraction, seed, tuple(duplicates))
