"""How many TrashNet pool images each near_duplicate_bits leaves out, and what the split costs.

Run from the repository root: `PYTHONPATH=$PWD python bench/bench_near_duplicates.py`.
The dHash comes from the scan's single decode, so the split only compares hashes.
"""

from __future__ import annotations

import time
from pathlib import Path

from harness.data.holdout import split_holdout
from harness.data.image_reads import each_image_once
from harness.data.scan import scan_dataset

TRASHNET = Path("../shared/data/trashnet")

with each_image_once():
    started = time.perf_counter()
    dataset = scan_dataset(TRASHNET)
    print(
        f"scan (decode + dHash) of {dataset.image_count} images: "
        f"{time.perf_counter() - started:.2f} s"
    )
    for bits in (-1, 0, 2, 4, 6, 8):
        started = time.perf_counter()
        holdout = split_holdout(dataset, 0.1, 2019, bits)
        print(
            f"bits {bits:>2}: same bytes {len(holdout.duplicates_left_out)}, near "
            f"{len(holdout.near_duplicates_left_out)}, split {time.perf_counter() - started:.3f} s"
        )
