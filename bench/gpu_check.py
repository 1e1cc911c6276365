"""The reference submission on a real GPU, on Keras's torch and jax backends (issue 6).

On copies of the reference submission whose manifests choose the backend
with an `env` table in both phases (your folder is never touched), under the
process runner:
1. `online`: torch, an online-like run (`--train-images` / `--test-images` at
   `--budget` seconds of training) with the GPU granted: per-phase peak GPU
   memory, the sampled GPU utilisation and the page's GPU rows;
2. `limited`: torch, smoke-sized, under `gpu_memory_limit_mb = --low-limit-mb`,
   far below what the package needs: it must end as out_of_memory;
3. `hidden`: torch, smoke-sized, `train_gpu = 0`: the runner hides the GPU, so the
   package runs on the CPU and holds no GPU memory;
4. `jax`: jax, smoke-sized, GPU granted, as the reference submission ships
   (its manifest sets `XLA_PYTHON_CLIENT_PREALLOCATE=false`: the peak is what
   it uses);
5. `jax-prealloc`: the same with jax's default of taking most of the GPU's
   memory at its first use.
Prints what it saw as JSON lines and copies each run's report.json (and the
pages of `online` and `jax`) to `--out`. Needs an NVIDIA GPU with torch, jax
and keras on the interpreter that runs this script.

    python bench/gpu_check.py --data DATA --out OUT
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from harness.package.contents import copy_contents
from harness.package.manifest import MANIFEST_NAME, load_manifest
from harness.run.simulate import simulate
from harness.runners import gpu
from harness.settings.config import resolve_config

ROOT = Path(__file__).resolve().parents[1]
RUN_NAMES = ("online", "limited", "hidden", "jax", "jax-prealloc")
PAGES = ("online", "jax")


def backend_copy(submission: Path, target: Path, env: dict[str, str]) -> Path:
    """The package with `env` laid over both phases' env tables in its manifest."""
    copy_contents(submission, target)
    manifest = load_manifest(target)
    phases = {
        "train": (manifest.train_command, {**manifest.train_env, **env}),
        "predict": (manifest.predict_command, {**manifest.predict_env, **env}),
    }
    text = f"name = {json.dumps(manifest.name)}\n"
    for phase, (command, phase_env) in phases.items():
        table = ", ".join(f"{key} = {json.dumps(value)}" for key, value in phase_env.items())
        text += f"\n[{phase}]\ncommand = {json.dumps(list(command))}\nenv = {{ {table} }}\n"
    (target / MANIFEST_NAME).write_text(text, encoding="utf-8")
    loaded = load_manifest(target)
    assert loaded.train_env == phases["train"][1] and loaded.predict_env == phases["predict"][1]
    return target


def run(name: str, settings: dict, out: Path) -> dict:
    """One simulation; what the report and the resource trace say about the GPU."""
    started = time.monotonic()
    result = simulate(resolve_config(settings))
    report, layout = result.report, result.layout
    samples = [
        json.loads(line) for line in layout.resources.read_text(encoding="utf-8").splitlines()
    ]
    for file in (layout.report, layout.page) if name in PAGES else (layout.report,):
        shutil.copyfile(file, out / f"{name}-{file.name}")
    page = layout.page.read_text(encoding="utf-8")
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
            for log in (layout.log(p) for p in phases if layout.log(p).is_file())
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
    parser.add_argument("--runs", nargs="+", default=list(RUN_NAMES), choices=RUN_NAMES)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    print(json.dumps({"devices": [d.__dict__ for d in gpu.devices()]}), flush=True)
    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    torch = backend_copy(args.submission, work / "torch", {"KERAS_BACKEND": "torch"})
    jax = backend_copy(args.submission, work / "jax", {"KERAS_BACKEND": "jax"})
    jax_greedy = backend_copy(
        args.submission,
        work / "jax-prealloc",
        {"KERAS_BACKEND": "jax", "XLA_PYTHON_CLIENT_PREALLOCATE": "true"},
    )
    common = {"data": str(args.data), "runs_dir": str(work / "runs"), "train_gpu": 1}
    smoke = {**common, "profile": "smoke"}
    runs = {
        "online": {
            **common,
            "submission": str(torch),
            "profile": "online",
            "train_images": args.train_images,
            "test_images": args.test_images,
            "train_budget_s": args.budget,
        },
        "limited": {**smoke, "submission": str(torch), "gpu_memory_limit_mb": args.low_limit_mb},
        "hidden": {**smoke, "submission": str(torch), "train_gpu": 0},
        "jax": {**smoke, "submission": str(jax)},
        "jax-prealloc": {**smoke, "submission": str(jax_greedy)},
    }
    for name in args.runs:
        print(json.dumps(run(name, runs[name], args.out)), flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
