"""The hold-out reserve: a fixed share of each class that test splits come from.

The reserve depends only on the class, the file name, the fraction and the
seed, never on a profile's sizes. So every profile tests on images from the
same reserve, and `pretrain` (which trains on the complement, the pool) can
never have seen a test image. Membership is a ranking by a seeded hash of the
name, so adding images to a class moves few others in or out.

Data sets hold exact duplicates under different names (TrashNet does). A pool
image with the same bytes as a reserve image would let training, or
`pretrain`, see a test image, so such copies are left out of the pool.
Web-scraped sets also hold resized and re-encoded copies: a pool image whose
difference hash (harness/data/image_reads.py) is within `near_duplicate_bits`
of a reserve image's is a near-duplicate, and is left out the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from harness.data.image_reads import hash_distance, image_dhash, image_sha256
from harness.data.scan import Dataset


@dataclass(frozen=True)
class Holdout:
    """Each class's images split into the reserve (test) and the pool (train)."""

    reserve: dict[str, list[Path]]
    pool: dict[str, list[Path]]
    fraction: float
    seed: int
    duplicates_left_out: tuple[Path, ...] = ()
    near_duplicates_left_out: tuple[Path, ...] = ()
    near_duplicate_bits: int = -1

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
            "near_duplicate_bits": self.near_duplicate_bits,
            "near_duplicates_left_out": len(self.near_duplicates_left_out),
        }


def reserve_size(count: int, fraction: float) -> int:
    """How many of a class's `count` images are reserved: at least one, never all."""
    if count < 2:
        return 0
    return min(count - 1, max(1, round(count * fraction)))


def _rank_key(seed: int, label: str, path: Path) -> bytes:
    return hashlib.sha256(f"{seed}\0{label}\0{path.name}".encode()).digest()


def split_holdout(
    dataset: Dataset, fraction: float, seed: int, near_duplicate_bits: int = -1
) -> Holdout:
    """The reserve and the pool of every class of `dataset`, both in sorted file order.

    Pool images with the same bytes as any reserve image are left out of the pool,
    and so are those whose difference hash differs from a reserve image's in at most
    `near_duplicate_bits` of 64 bits (-1: exact bytes only).
    """
    reserve: dict[str, list[Path]] = {}
    pool: dict[str, list[Path]] = {}
    for label, files in dataset.images.items():
        ranked = sorted(files, key=lambda path: _rank_key(seed, label, path))
        chosen = set(ranked[: reserve_size(len(files), fraction)])
        reserve[label] = [path for path in files if path in chosen]
        pool[label] = [path for path in files if path not in chosen]
    reserved = {image_sha256(path) for files in reserve.values() for path in files}
    reserved_hashes = _reserve_hashes(reserve) if near_duplicate_bits >= 0 else []
    duplicates: list[Path] = []
    near: list[Path] = []
    for label, files in pool.items():
        kept: list[Path] = []
        for path in files:
            if image_sha256(path) in reserved:
                duplicates.append(path)
            elif _near_any(image_dhash(path), reserved_hashes, near_duplicate_bits):
                near.append(path)
            else:
                kept.append(path)
        pool[label] = kept
    return Holdout(
        reserve, pool, fraction, seed, tuple(duplicates), tuple(near), near_duplicate_bits
    )


def _reserve_hashes(reserve: dict[str, list[Path]]) -> list[int]:
    hashes = (image_dhash(path) for files in reserve.values() for path in files)
    return sorted({value for value in hashes if value is not None})


def _near_any(value: int | None, reserved: list[int], bits: int) -> bool:
    return value is not None and any(hash_distance(value, other) <= bits for other in reserved)
