"""Memory enforcement: how fast a toy crossing the limit is stopped, and how true the peak is.

The `memory_hog` toy logs, after touching each step, its own RSS and the UNIX
time. Crossing = the first logged step whose RSS is over the limit (or, when the
kill came before that step was logged, the detecting sample). Detected =
the time of the monitor's sample that saw the tree over the limit (the group
is killed right there); reaped = when `run_train` returned. Peak error =
reported peak (PSS of the tree) against the toy's last logged RSS.

Also: what one exact PSS reading (/proc/<pid>/smaps_rollup) costs against
the process's resident size, which is why the monitor spaces those out.

    .venv/bin/python bench/bench_memory.py --limit-mib 512 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from harness.phases import run_train
from harness.phases.outcome import Status
from harness.runners.base import Limits, Mount, PhaseSpec, ResourceSample
from harness.runners.process.monitor import proportional_bytes, resident_bytes
from harness.runners.process.runner import ProcessRunner

TOY = Path(__file__).resolve().parents[1] / "tests" / "toys" / "memory_hog"
STEP = re.compile(r"toy hog: allocated (\d+) rss (\d+) at ([\d.]+)")
MIB = 2**20


def measure(limit: int, step_mib: int, interval: float) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(TOY, root / "package")
        (root / "model").mkdir()
        spec = PhaseSpec(
            phase="train",
            command=("python", "train.py"),
            workdir=root / "package",
            env={"TOY_STEP_MB": str(step_mib), "TMPDIR": scratch, "HOME": scratch},
            mounts=(Mount(root / "model", writable=True),),
            limits=Limits(memory_bytes=limit),
            log_path=root / "train.log",
        )
        over: list[ResourceSample] = []

        def watch(sample: ResourceSample) -> None:
            if sample.memory_bytes > limit:
                over.append(sample)

        outcome = run_train(ProcessRunner(interval), spec, 120, 1, root / "model", watch)
        reaped = time.time()
        steps = [tuple(map(float, m.groups())) for m in STEP.finditer(spec.log_path.read_text())]
    assert outcome.status is Status.OUT_OF_MEMORY, outcome.reason
    # No logged crossing: the kill came while the toy was still touching that step.
    crossing = next((at for _, rss, at in steps if rss > limit), over[0].t)
    true_peak = steps[-1][1]
    return {
        "step_mib": step_mib,
        "interval_s": interval,
        "detect_s": over[0].t - crossing,
        "reaped_s": reaped - crossing,
        "true_mib": true_peak / MIB,
        "reported_mib": outcome.peak_memory_bytes / MIB,
        "error_pct": 100 * (outcome.peak_memory_bytes - true_peak) / true_peak,
    }


HOLD = """
import sys, time
block = bytearray(int(float(sys.argv[1]) * 2**30))
block[::4096] = b"x" * len(range(0, len(block), 4096))
print("ready", flush=True)
time.sleep(600)
"""


def exact_reading_cost(gib: float, repeats: int = 20) -> dict:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(gib)], stdout=subprocess.PIPE)
    try:
        holder.stdout.readline()
        process = psutil.Process(holder.pid)
        started = time.perf_counter()
        for _ in range(repeats):
            proportional_bytes(process)
        pss_ms = 1000 * (time.perf_counter() - started) / repeats
        started = time.perf_counter()
        for _ in range(repeats):
            resident_bytes(process)
        rss_ms = 1000 * (time.perf_counter() - started) / repeats
    finally:
        holder.kill()
        holder.wait()
    return {"gib": gib, "pss_ms": pss_ms, "rss_ms": rss_ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mib", type=int, default=512)
    parser.add_argument("--steps-mib", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reading-gib", type=float, nargs="*", default=[0.5, 2.0])
    args = parser.parse_args()
    rows = [
        measure(args.limit_mib * MIB, step, args.interval)
        for step in args.steps_mib
        for _ in range(args.repeats)
    ]
    print(f"limit {args.limit_mib} MiB; times from the toy's own crossing; {os.cpu_count()} CPUs")
    print(
        "| step (MiB) | interval (s) | detected after (s) | reaped after (s) | true peak (MiB) "
        "| reported peak (MiB) | peak error (%) |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['step_mib']} | {r['interval_s']:g} | {r['detect_s']:.3f} | "
            f"{r['reaped_s']:.3f} | {r['true_mib']:.0f} | {r['reported_mib']:.0f} | "
            f"{r['error_pct']:+.1f} |"
        )
    print()
    print("| resident (GiB) | exact PSS reading (ms) | RSS reading (ms) |")
    print("|---|---|---|")
    for gib in args.reading_gib:
        cost = exact_reading_cost(gib)
        print(f"| {cost['gib']:g} | {cost['pss_ms']:.2f} | {cost['rss_ms']:.3f} |")


if __name__ == "__main__":
    main()
