"""Staging speed: a 10,000-image set (100 classes) staged as the online profile's 6,000 + 600.

Each step is timed on its own: scanning with every image decoded (the
validation), the hold-out reserve, the stratified plan, and writing the stage
with hard-linked and with copied training images. The generated set is kept
in a cache folder, so only the first run pays for making it.

    .venv/bin/python bench/bench_staging.py [--images 10000] [--classes 100] [--size 128]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from harness.data.demo import make_image_set
from harness.data.holdout import split_holdout
from harness.data.scan import scan_dataset
from harness.data.staging import SplitRequest, plan_split, stage_split
from harness.settings.run_layout import RunLayout

CACHE = Path(__file__).resolve().parents[1] / ".cache" / "bench_staging"


def generated_set(images: int, classes: int, size: int) -> Path:
    root = CACHE / f"{images}x{classes}x{size}"
    names = [f"类别{index:03d}" for index in range(classes)]
    if not (root / names[-1]).is_dir():
        shutil.rmtree(root, ignore_errors=True)
        print(f"generating {images} images of {size} px in {root} (once)")
        make_image_set(root, names, images // classes, size=size, seed=0)
    return root


def timed(label: str, rows: list[tuple[str, float]], action):
    started = time.perf_counter()
    value = action()
    rows.append((label, time.perf_counter() - started))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--classes", type=int, default=100)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--train", type=int, default=6000)
    parser.add_argument("--test", type=int, default=600)
    args = parser.parse_args()
    data = generated_set(args.images, args.classes, args.size)
    rows: list[tuple[str, float]] = []
    dataset = timed("scan + decode-check every image", rows, lambda: scan_dataset(data))
    holdout = timed("hold-out reserve", rows, lambda: split_holdout(dataset, 0.1, 2019))
    request = SplitRequest(args.train, args.test, seed=0)
    plan = timed("stratified plan", rows, lambda: plan_split(holdout, request))
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        timed(
            "stage (train hard-linked)",
            rows,
            lambda: stage_split(plan, RunLayout(Path(scratch) / "a")),
        )
        timed(
            "stage (train copied)",
            rows,
            lambda: stage_split(plan, RunLayout(Path(scratch) / "b"), link=False),
        )
    linked_total = sum(seconds for label, seconds in rows if "copied" not in label)
    copied_total = sum(seconds for label, seconds in rows if "linked" not in label)
    print(
        f"\n{dataset.image_count} images, {len(dataset.classes)} classes, {args.size} px; "
        f"staged {plan.train_count} train + {plan.test_count} test\n"
    )
    print("| step | seconds |\n|---|---|")
    for label, seconds in rows:
        print(f"| {label} | {seconds:.2f} |")
    print(f"| **total, hard links** | **{linked_total:.2f}** |")
    print(f"| **total, copies** | **{copied_total:.2f}** |")


if __name__ == "__main__":
    main()
