"""Ray's cost per rehearsal, and what two at a time buys on this machine.

Three ways to run the same four toy rehearsals (smoke profile, seeds 0-3,
process runner; the constant toy on a generated 3-class set, or `--toy` on
`--data`):
- direct: `simulate` four times in this process, one after the other;
- Ray one at a time: a local Ray instance with 1 CPU, the sweep's executor;
- Ray two at a time: a local Ray instance with 2 CPUs, the same executor.
Ray's start is timed apart from the rehearsals (a sweep pays it once). The
Ray rows include starting the worker processes, as a sweep does.

    .venv/bin/python bench/bench_sweep.py
    .venv/bin/python bench/bench_sweep.py --toy centroid --data ../shared/data/trashnet
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness.data.demo import make_image_set
from harness.package.variants import Variant
from harness.run.simulate import simulate
from harness.settings.config import resolve_config
from harness.sweep.executor import demand_of, execute, start_local
from harness.sweep.grid import grid

TOYS = Path(__file__).resolve().parents[1] / "tests" / "toys"


def _jobs(toy: Path, data: Path, runs: Path, seeds: int) -> list:
    jobs = []
    for rehearsal in grid([Variant("baseline")], ["smoke"], list(range(seeds))):
        config = resolve_config(
            {
                "profile": "smoke",
                "seed": rehearsal.seed,
                "submission": str(toy),
                "data": str(data),
                "runs_dir": str(runs),
                "runner": "process",
            }
        )
        jobs.append((rehearsal, config, demand_of(config, 1)))
    return jobs


def direct(jobs: list) -> float:
    started = time.monotonic()
    for _rehearsal, config, _demand in jobs:
        assert simulate(config).passed
    return time.monotonic() - started


def on_ray(jobs: list, num_cpus: int) -> tuple[float, float]:
    """(Ray's start, the rehearsals' wall) on a fresh local instance of `num_cpus`."""
    import ray

    started = time.monotonic()
    start_local(ray, num_cpus)
    ready = time.monotonic()
    try:
        outcomes = execute(ray, jobs)
    finally:
        ended = time.monotonic()
        ray.shutdown()
    assert all(outcome.verdict == "passed" for outcome in outcomes), outcomes
    return ready - started, ended - ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--toy", default="constant", help="a folder of tests/toys")
    parser.add_argument("--data", type=Path, help="a data set (default: a generated one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        data = args.data or make_image_set(
            root / "set", ("circle", "square", "triangle"), 60, size=32
        )
        jobs = _jobs(TOYS / args.toy, data.resolve(), root / "runs", args.seeds)
        direct_s = direct(jobs)
        start_1, serial_s = on_ray(jobs, 1)
        start_2, parallel_s = on_ray(jobs, 2)
    n = len(jobs)
    print(f"| way | Ray start (s) | {n} rehearsals (s) | per rehearsal (s) |")
    print("|---|---|---|---|")
    print(f"| direct simulate | - | {direct_s:.1f} | {direct_s / n:.2f} |")
    print(f"| Ray, one at a time | {start_1:.1f} | {serial_s:.1f} | {serial_s / n:.2f} |")
    print(f"| Ray, two at a time | {start_2:.1f} | {parallel_s:.1f} | {parallel_s / n:.2f} |")
    print(
        f"Ray overhead per rehearsal (one at a time - direct): {(serial_s - direct_s) / n:+.2f} s"
    )
    print(f"one at a time / two at a time: {serial_s / parallel_s:.2f}")


if __name__ == "__main__":
    main()
