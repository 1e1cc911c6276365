"""Harness overhead on a train phase that only sleeps: extra wall time, monitoring CPU.

For each sampling interval (and with the sandbox on and off), a train command
that sleeps S seconds runs through `run_train` with the process runner. Extra
wall = phase wall - the same command run bare with subprocess. Monitor CPU =
CPU time of this (harness) process during the phase, as % of one core; the
harness does nothing else meanwhile, so that is the monitor thread.

    .venv/bin/python bench/bench_overhead.py --seconds 60
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.phases import run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits, Mount, PhaseSpec
from harness.runners.process.runner import ProcessRunner


def _spec(root: Path, seconds: float) -> PhaseSpec:
    model = root / "model"
    model.mkdir(exist_ok=True)
    code = f"import pathlib, time; time.sleep({seconds}); pathlib.Path('{model}/m').write_text('x')"
    return PhaseSpec(
        phase="train",
        command=("python", "-c", code),
        workdir=root,
        env={"MODEL_INFERENCE_PATH": str(model), "TMPDIR": str(root), "HOME": str(root)},
        mounts=(Mount(model, writable=True),),
        limits=Limits(memory_bytes=2**30),
        log_path=root / "train.log",
    )


def _bare(spec: PhaseSpec) -> float:
    started = time.monotonic()
    command = [sys.executable, *spec.command[1:]]
    subprocess.run(command, cwd=spec.workdir, check=True)
    return time.monotonic() - started


def measure(seconds: float, interval: float, isolate: bool) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        spec = _spec(Path(scratch), seconds)
        bare = _bare(spec)
        runner = ProcessRunner(sample_interval_s=interval, isolate=isolate)
        runner.enforcement(spec.limits)  # the one-off sandbox probe is not per phase
        samples = []
        cpu_before = os.times()
        outcome = run_train(runner, spec, seconds + 60, 5, spec.workdir / "model", samples.append)
        cpu_after = os.times()
    assert outcome.status is Status.OK, outcome.log_tail
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    return {
        "interval_s": interval,
        "sandbox": "on" if isolate else "off",
        "bare_s": bare,
        "phase_s": outcome.wall_s,
        "extra_s": outcome.wall_s - bare,
        "samples": len(samples),
        "monitor_cpu_pct": 100 * cpu / outcome.wall_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--intervals", type=float, nargs="+", default=[0.1])
    parser.add_argument("--no-sandbox-too", action="store_true", help="also run unsandboxed")
    args = parser.parse_args()
    rows = []
    for interval in args.intervals:
        for isolate in (True, False) if args.no_sandbox_too else (True,):
            rows.append(measure(args.seconds, interval, isolate))
    print(f"train phase sleeping {args.seconds:g} s; {os.cpu_count()} CPUs")
    print(
        "| interval (s) | sandbox | bare (s) | phase (s) | extra wall (s) | samples "
        "| monitor CPU (% of one core) |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['interval_s']:g} | {row['sandbox']} | {row['bare_s']:.3f} | "
            f"{row['phase_s']:.3f} | {row['extra_s']:.3f} | {row['samples']} | "
            f"{row['monitor_cpu_pct']:.2f} |"
        )


if __name__ == "__main__":
    main()
