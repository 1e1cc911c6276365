"""The reference submission on a real GPU, through Keras's torch backend (issue 6).

On a copy of the reference submission whose manifest adds
`env = { KERAS_BACKEND = "torch" }` to both phases (your folder is never
touched), under the process runner with the GPU granted:
1. an online-like run, `--train-images` / `--test-images` at `--budget` seconds
   of training: the report's per-phase peak GPU memory, the sampled GPU
   utilisation and the page's GPU rows;
2. a smoke-sized run under `gpu_memory_limit_mb = --low-limit-mb`, far below
   what the package needs: it must end as out_of_memory;
3. a smoke-sized run with `gpu = 0`: the runner hides the GPU, so the package
   must still pass, on the CPU, holding no GPU memory.
Prints what it saw as JSON lines and copies each run's report.json and
report.html to `--out`. Needs an NVIDIA GPU with
torch and keras on the interpreter that runs this script.

    python bench/gpu_check.py --data DATA --out OUT
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from harness import gpu
from harness.config import resolve_config
from harness.manifest import MANIFEST_NAME, load_manifest
from harness.packaging.scan import copy_contents
from harness.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
TORCH_ENV = 'env = { KERAS_BACKEND = "torch" }'


def torch_copy(submission: Path, target: Path) -> Path:
    """The package with its manifest asking for the torch backend in both phases."""
    copy_contents(submission, target)
    manifest = target / MANIFEST_NAME
    text = re.sub(
        r"(?m)^command = .*$", lambda m: f"{m.group(0)}\n{TORCH_ENV}", manifest.read_text()
    )
    manifest.write_text(text, encoding="utf-8")
    loaded = load_manifest(target)
    assert loaded.train_env == loaded.predict_env == {"KERAS_BACKEND": "torch"}
    return target


def run(name: str, settings: dict, out: Path) -> dict:
    """One simulation; what the report and the resource trace say about the GPU."""
    started = time.monotonic()
    report = simulate(resolve_config(settings)).report
    run_dir = Path(settings["runs_dir"]) / report["run_id"]
    samples = [
        json.loads(line)
        for line in (run_dir / "resources.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    for file in ("report.json", "report.html"):
        shutil.copyfile(run_dir / file, out / f"{name}-{file}")
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    phases = report["phases"]
    return {
        "run": name,
        "seconds": round(time.monotonic() - started, 1),
        "verdict": report["verdict"],
        "accuracy": (report.get("score") or {}).get("accuracy"),
        "latency_ms": (report.get("score") or {}).get("latency_ms"),
        "status": {p: phases[p]["status"] for p in phases},
        "reason": {p: phases[p].get("reason") for p in phases},
        "peak_gpu_memory_mib": {p: _mib(phases[p].get("peak_gpu_memory_bytes")) for p in phases},
        "peak_memory_mib": {p: _mib(phases[p].get("peak_memory_bytes")) for p in phases},
        "gpu_samples": sum(s["gpu_memory_bytes"] is not None for s in samples),
        "samples": len(samples),
        "mean_gpu_utilization": _mean(
            [s["gpu_utilization"] for s in samples if s["gpu_utilization"] is not None]
        ),
        "enforcement": report["runner"]["enforcement"],
        "page_says_no_gpu": "No GPU was sampled" in page,
        "backend_lines": [
            line
            for log in sorted((run_dir / "logs").glob("*.log"))
            for line in log.read_text(encoding="utf-8").splitlines()
            if "keras" in line and "backend" in line
        ],
    }


def _mib(value: int | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--submission", type=Path, default=ROOT / "submission")
    parser.add_argument("--train-images", type=int, default=600)
    parser.add_argument("--test-images", type=int, default=90)
    parser.add_argument("--budget", type=float, default=150.0, help="train seconds")
    parser.add_argument("--low-limit-mb", type=int, default=256)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    print(json.dumps({"devices": [d.__dict__ for d in gpu.devices()]}), flush=True)
    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    package = torch_copy(args.submission, work / "submission")
    common = {"submission": str(package), "data": str(args.data), "runs_dir": str(work / "runs")}
    online = {
        **common,
        "profile": "online",
        "gpu": 1,
        "train_images": args.train_images,
        "test_images": args.test_images,
        "train_budget_s": args.budget,
    }
    limited = {**common, "profile": "smoke", "gpu": 1, "gpu_memory_limit_mb": args.low_limit_mb}
    hidden = {**common, "profile": "smoke", "gpu": 0}
    for name, settings in (("online", online), ("limited", limited), ("hidden", hidden)):
        print(json.dumps(run(name, settings, args.out)), flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
