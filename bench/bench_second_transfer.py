"""Second transfer: the online score from ImageNet weights alone vs after `pretrain`.

On a copy of the reference submission (your folder is never touched):
1. `simulate --profile online` once per seed, starting from the ImageNet
   weights the package carries (any weights/pretrained/ is removed first);
2. `pretrain` on every image outside the hold-out reserve, which installs
   weights/pretrained/ with its provenance;
3. `simulate --profile online` again per seed, now starting from them.
Each online run draws its test images from the same reserve, so the guard
sees no leakage and the two columns differ only by the pretrained weights.
Train budgets are `--online-budget` and `--pretrain-budget` seconds (the
per-image limit stays 500 ms); on a shared CPU keep both small and say so.

    .venv/bin/python bench/bench_second_transfer.py --data /work/shared/data/trashnet \
        --online-budget 600 --pretrain-budget 900 --seeds 0 1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from harness.environments.pretrain import pretrain
from harness.package.provenance import PRETRAINED_DIR
from harness.package.variants import BASELINE, Variant, variant_copy
from harness.run.simulate import simulate
from harness.settings.config import resolve_config

ROOT = Path(__file__).resolve().parents[1]


def online(submission: Path, data: Path, runs: Path, seed: int, args) -> dict:
    settings = {
        "profile": "online",
        "submission": str(submission),
        "data": str(data),
        "runs_dir": str(runs),
        "seed": seed,
        "train_budget_s": args.online_budget,
        "gpu": args.gpu,
    }
    started = time.monotonic()
    report = simulate(resolve_config(settings)).report
    return {
        "seed": seed,
        "accuracy": report["score"]["accuracy"] if report["verdict"]["passed"] else None,
        "status": report["phases"]["train"]["status"] + "/" + report["phases"]["predict"]["status"],
        "seconds": time.monotonic() - started,
        "run_id": report["run_id"],
        "train_images": report["data"]["train_images"],
        "test_images": report["data"]["test_images"],
    }


def fmt(value: float | None) -> str:
    return "  -   " if value is None else f"{value:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data/trashnet"))
    parser.add_argument("--submission", type=Path, default=ROOT / "submission")
    parser.add_argument("--online-budget", type=float, default=600.0, help="seconds")
    parser.add_argument("--pretrain-budget", type=float, default=900.0, help="seconds")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--gpu", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="keep the runs here instead of a temp folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="second-transfer-"))
    runs = args.keep or work / "runs"
    package = variant_copy(args.submission, Variant(BASELINE), work / "submission", "")
    shutil.rmtree(package / PRETRAINED_DIR, ignore_errors=True)
    try:
        before = [online(package, args.data, runs, seed, args) for seed in args.seeds]
        started = time.monotonic()
        settings = {
            "submission": str(package),
            "data": str(args.data),
            "runs_dir": str(runs),
            "train_budget_s": args.pretrain_budget,
            "gpu": args.gpu,
        }
        result = pretrain(settings)
        pretrain_s = time.monotonic() - started
        report = result.run.report
        print(
            f"pretrain: {report['phases']['train']['status']} in {pretrain_s:.0f} s on "
            f"{report['data']['train_images']} images, reserve accuracy "
            f"{fmt(report['score']['accuracy'])}, installed: {result.installed is not None}"
        )
        after = [online(package, args.data, runs, seed, args) for seed in args.seeds]
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print("| seed | train / test images | ImageNet only | after pretrain | delta | run s |")
    print("|---|---|---|---|---|---|")
    deltas = []
    for b, a in zip(before, after, strict=True):
        delta = None
        if a["accuracy"] is not None and b["accuracy"] is not None:
            delta = a["accuracy"] - b["accuracy"]
            deltas.append(delta)
        print(
            f"| {b['seed']} | {b['train_images']} / {b['test_images']} | {fmt(b['accuracy'])} "
            f"({b['status']}) | {fmt(a['accuracy'])} ({a['status']}) | {fmt(delta)} "
            f"| {b['seconds']:.0f} + {a['seconds']:.0f} |"
        )
    if deltas:
        print(f"\nmean delta {statistics.mean(deltas):+.2f} points over {len(deltas)} seed(s)")


if __name__ == "__main__":
    main()
