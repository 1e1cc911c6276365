"""Per-request protocol overhead and phase start-up, with the isolation on and off.

The `constant` toy answers at once, so its measured latency is the harness's
round trip (write the request, the program reads it and answers, the reader
thread hands the line over). The `too_slow` toy sleeps a set time per image;
the reported latency minus that sleep is the measuring error. Start-up is the
constant toy's setup time (launch until its ready line), the median of
`--starts` phases. Each row is one configuration of the process runner:
`off` (no sandbox, no disk limit), `sandbox` (bubblewrap), `sandbox+disk`
(bubblewrap and the disk watch, as simulate runs a phase now); the ratios
to `off` are printed under the table.

    .venv/bin/python bench/bench_protocol.py --requests 600 --sleeper-requests 20 --starts 10
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
CONFIGS = {  # name: (sandbox, disk limit)
    "off": (False, None),
    "sandbox": (True, None),
    "sandbox+disk": (True, 20 * 2**30),
}


def _spec(root: Path, toy: str, env: dict[str, str], disk_bytes: int | None) -> PhaseSpec:
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
        limits=Limits(memory_bytes=2**30, disk_bytes=disk_bytes),
        log_path=root / f"{toy}.log",
        interactive=True,
    )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _run(config: str, toy: str, requests: int, sleep_s: float):
    isolate, disk_bytes = CONFIGS[config]
    with tempfile.TemporaryDirectory() as scratch:
        spec = _spec(Path(scratch), toy, {"TOY_SLEEP_S": str(sleep_s)}, disk_bytes)
        asked = [PredictRequest(f"id{n:05d}", Path(scratch) / f"{n}.jpg") for n in range(requests)]
        runner = ProcessRunner(isolate=isolate)
        outcome, answers = run_predict(runner, spec, asked, ["cardboard"], LIMITS)
    assert outcome.status is Status.OK, outcome.reason
    return outcome, answers


def start_up(config: str, starts: int) -> float:
    """Median seconds from launch to the ready line of the instant predictor."""
    return statistics.median(
        _run(config, "constant", 1, 0.0)[0].details["setup_s"] for _ in range(starts)
    )


def measure(config: str, toy: str, requests: int, sleep_s: float) -> dict:
    outcome, answers = _run(config, toy, requests, sleep_s)
    extra_ms = [1000 * (a.latency_s - sleep_s) for a in answers]
    return {
        "config": config,
        "toy": toy,
        "sleep_ms": 1000 * sleep_s,
        "requests": len(answers),
        "p50": _percentile(extra_ms, 50),
        "p95": _percentile(extra_ms, 95),
        "p99": _percentile(extra_ms, 99),
        "max": max(extra_ms),
        "mean": statistics.fmean(extra_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--sleeper-requests", type=int, default=20)
    parser.add_argument("--sleep-ms", type=float, default=300.0)
    parser.add_argument("--starts", type=int, default=10, help="phases timed for start-up")
    args = parser.parse_args()
    ProcessRunner().enforcement(Limits())  # the one-off sandbox probe is not per phase
    rows, starts = [], {}
    for config in CONFIGS:
        starts[config] = start_up(config, args.starts)
        rows.append(measure(config, "constant", args.requests, 0.0))
        rows.append(measure(config, "too_slow", args.sleeper_requests, args.sleep_ms / 1000))
    print(f"latency reported minus the program's own sleep, ms; {os.cpu_count()} CPUs")
    print("| config | predictor | sleep (ms) | requests | p50 | p95 | p99 | max | mean |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['config']} | {r['toy']} | {r['sleep_ms']:.0f} | {r['requests']} | "
            f"{r['p50']:.3f} | {r['p95']:.3f} | {r['p99']:.3f} | {r['max']:.3f} | "
            f"{r['mean']:.3f} |"
        )
    print(f"\nstart-up: launch until ready, median of {args.starts} phases (instant predictor)")
    print("| config | start-up (s) | ratio to off | constant p50 ratio to off |")
    print("|---|---|---|---|")
    p50 = {r["config"]: r["p50"] for r in rows if r["toy"] == "constant"}
    for config, seconds in starts.items():
        print(
            f"| {config} | {seconds:.3f} | {seconds / starts['off']:.2f} | "
            f"{p50[config] / p50['off']:.2f} |"
        )


if __name__ == "__main__":
    main()
