"""Feature extraction throughput of the reference submission: decoding threads against one.

Times `features.split_activations` (decode, augment, resize, frozen bottom; cache
off) for each backbone on every image of a data set, once with one decoding thread
and once with the default count (`features.decode_workers()`), and the decoding
alone (`features.input_batches`, no model) the same two ways. Copy 1 (an
augmented copy) is timed: it is the one that also draws a random crop. Each row
runs once untimed first (TensorFlow traces, the page cache warms), then
`--repeats` times; the median is reported.

    .venv/bin/python bench/bench_features.py [--data .devdata/trashnet150] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "submission"))

from garbage import backbones, features  # noqa: E402
from garbage.config import load_config  # noqa: E402
from garbage.images import DataError, list_dataset  # noqa: E402

COPY = 1


def median_seconds(run, repeats: int) -> float:
    run()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def decode_only(spec, paths: list[Path], workers: int) -> None:
    for _ in features.input_batches(spec, paths, COPY, 0, workers):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / ".devdata" / "trashnet150")
    parser.add_argument(
        "--backbones", nargs="+", default=["efficientnet_lite0", "efficientnet_lite2"]
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        paths = list_dataset(args.data).paths
    except DataError as exc:
        print(f"bench_features: {exc} (docs/benchmarks.md, 'Reference submission', makes one)")
        return 2
    top_blocks = load_config({}).top_blocks
    default = features.decode_workers()
    print(f"{len(paths)} images from {args.data}; default decoding threads: {default}")
    print(f"{'backbone':20s} {'stage':22s} {'threads':>7s} {'s':>7s} {'images/s':>9s}")
    for name in args.backbones:
        spec, parts = backbones.build(name, top_blocks, pretrained=False)
        for workers in sorted({1, default}):
            cases = {
                "decode only": partial(decode_only, spec, paths, workers),
                "split_activations": partial(
                    features.split_activations,
                    *(parts.bottom, spec, "bench", paths, COPY, 0),
                    cache=False,
                    workers=workers,
                ),
            }
            for stage, run in cases.items():
                seconds = median_seconds(run, args.repeats)
                rate = len(paths) / seconds
                print(f"{name:20s} {stage:22s} {workers:7d} {seconds:7.1f} {rate:9.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
