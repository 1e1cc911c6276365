"""tune of two variants through the sweep executor: one at a time against two at a time.

The same `tune` (baseline + one variant file, the centroid toy by default,
process runner, `memory_limit_mb=4096` so that two variants fit beside each
other) on a fresh local Ray instance with 1 CPU (one variant at a time), then
with 2 CPUs (two at a time). Ray's start is timed apart (a tune pays it once).
Then what handing the view's image reads to the workers saves: the same
one-at-a-time tune with the hand-over switched off (every worker decodes
and hashes the whole view again), and those reads alone, timed outside an
`each_image_once` block.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_tune.py
    PYTHONPATH=$PWD .venv/bin/python bench/bench_tune.py --data ../shared/data/trashnet
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from unittest import mock

from harness.data.demo import make_image_set
from harness.data.holdout import split_holdout
from harness.data.scan import scan_dataset
from harness.environments import tune as tune_module
from harness.environments.tune import TuneRay, tune
from harness.sweep.executor import start_local

TOYS = Path(__file__).resolve().parents[1] / "tests" / "toys"


def on_ray(settings: dict, variants: list[Path], num_cpus: int) -> tuple[float, float, Path]:
    """(Ray's start, tune's wall, the session folder) on a fresh local instance."""
    import ray

    started = time.monotonic()
    start_local(ray, num_cpus)
    ready = time.monotonic()
    try:
        result = tune(settings, variants, where=TuneRay(cpus_per_variant=1.0))
    finally:
        ended = time.monotonic()
        ray.shutdown()
    assert all(row.passed for row in result.rows), result.rows
    return ready - started, ended - ready, result.session


def repeated_reads(view: Path) -> tuple[int, float]:
    """(images, seconds) of the scan's decode checks and the hold-out's hashes of the view."""
    started = time.monotonic()
    dataset = scan_dataset(view)
    split_holdout(dataset, 0.25, 0)
    return dataset.image_count, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toy", default="centroid", help="a folder of tests/toys")
    parser.add_argument("--data", type=Path, help="a data set (default: a generated one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        data = args.data or make_image_set(
            root / "set", ("circle", "square", "triangle"), 60, size=32
        )
        variant = root / "wider.toml"
        variant.write_text("width = 2\n", encoding="utf-8")
        settings = {
            "submission": str(TOYS / args.toy),
            "data": str(data.resolve()),
            "runs_dir": str(root / "runs"),
            "runner": "process",
            "memory_limit_mb": 4096,
        }
        start_1, serial_s, _session = on_ray(settings, [variant], 1)
        start_2, parallel_s, session = on_ray(settings, [variant], 2)
        with mock.patch.object(tune_module, "learned_so_far", dict):  # hand nothing over
            _start, unshared_s, _session = on_ray(settings, [variant], 1)
        images, reads_s = repeated_reads(session / "data")
    print("| way | Ray start (s) | tune of 2 variants (s) |")
    print("|---|---|---|")
    print(f"| Ray, one at a time (1 CPU) | {start_1:.1f} | {serial_s:.1f} |")
    print(f"| Ray, two at a time (2 CPUs) | {start_2:.1f} | {parallel_s:.1f} |")
    print(f"| Ray, one at a time, no image reads handed over | - | {unshared_s:.1f} |")
    print(f"one at a time / two at a time: {serial_s / parallel_s:.2f}")
    print(f"image reads each variant's worker repeats: {images} images, {reads_s:.2f} s")


if __name__ == "__main__":
    main()
