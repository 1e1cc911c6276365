"""Per-request protocol overhead: an instant predictor, and one that sleeps a known time.

The `constant` toy answers at once, so its measured latency is the harness's
round trip (write the request, the program reads it and answers, the reader
thread hands the line over). The `too_slow` toy sleeps a set time per image;
the reported latency minus that sleep is the measuring error.

    .venv/bin/python bench/bench_protocol.py --requests 600 --sleeper-requests 20
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from harness.phases import PredictLimits, PredictRequest, run_predict
from harness.phases.outcome import Status
from harness.runners.base import Limits, Mount, PhaseSpec
from harness.runners.process.runner import ProcessRunner

TOYS = Path(__file__).resolve().parents[1] / "tests" / "toys"
LIMITS = PredictLimits(setup_s=30, per_image_s=0.5, request_timeout_s=10, grace_s=2)


def _spec(root: Path, toy: str, env: dict[str, str]) -> PhaseSpec:
    package = root / toy
    shutil.copytree(TOYS / toy, package)
    model = root / "model"
    model.mkdir(exist_ok=True)
    (model / "label.txt").write_text("cardboard", encoding="utf-8")
    return PhaseSpec(
        phase="predict",
        command=("python", "predict.py"),
        workdir=package,
        env={"MODEL_INFERENCE_PATH": str(model), "TMPDIR": str(root), "HOME": str(root), **env},
        mounts=(Mount(model),),
        limits=Limits(memory_bytes=2**30),
        log_path=root / f"{toy}.log",
        interactive=True,
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def measure(toy: str, requests: int, sleep_s: float) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        spec = _spec(Path(scratch), toy, {"TOY_SLEEP_S": str(sleep_s)})
        asked = [PredictRequest(f"id{n:05d}", Path(scratch) / f"{n}.jpg") for n in range(requests)]
        outcome, answers = run_predict(ProcessRunner(), spec, asked, ["cardboard"], LIMITS)
    assert outcome.status is Status.OK, outcome.reason
    extra_ms = [1000 * (a.latency_s - sleep_s) for a in answers]
    return {
        "toy": toy,
        "sleep_ms": 1000 * sleep_s,
        "requests": len(answers),
        "p50": _percentile(extra_ms, 50),
        "p95": _percentile(extra_ms, 95),
        "p99": _percentile(extra_ms, 99),
        "max": max(extra_ms),
        "mean": statistics.fmean(extra_ms),
        "setup_s": outcome.details["setup_s"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--sleeper-requests", type=int, default=20)
    parser.add_argument("--sleep-ms", type=float, default=300.0)
    args = parser.parse_args()
    rows = [
        measure("constant", args.requests, 0.0),
        measure("too_slow", args.sleeper_requests, args.sleep_ms / 1000),
    ]
    print(f"latency reported minus the program's own sleep, ms; {os.cpu_count()} CPUs")
    print("| predictor | sleep (ms) | requests | p50 | p95 | p99 | max | mean | setup (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['toy']} | {r['sleep_ms']:.0f} | {r['requests']} | {r['p50']:.3f} | "
            f"{r['p95']:.3f} | {r['p99']:.3f} | {r['max']:.3f} | {r['mean']:.3f} | "
            f"{r['setup_s']:.3f} |"
        )


if __name__ == "__main__":
    main()
