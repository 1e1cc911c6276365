"""Run folders written by hand after docs/report.md (schema 1): one passed, one failed.

Numbers come from a seeded generator, so a page changes only when the code
does. Class names are Chinese, as in the contest.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from harness.report.document import SCHEMA_VERSION
from harness.settings.run_layout import RunLayout

CLASSES = ["充电器", "充电线", "纸箱", "拖把", "耳机"]
PER_IMAGE_MS = 500.0
SCRIPT_IN_LOG = "<script>document.title='owned'</script>"
RUN = RunLayout(Path("run"))  # any run folder: report.json names files relative to it


def _phase(name: str, status: str, reason: str, wall_s: float, limit_s: float | None, **extra):
    return {
        "phase": name,
        "status": status,
        "reason": reason,
        "wall_s": wall_s,
        "limit_s": limit_s,
        "exit_code": extra.get("exit_code", 0),
        "peak_memory_bytes": extra.get("peak_memory_bytes", 900 * 2**20),
        "peak_working_set_bytes": extra.get("peak_working_set_bytes", 600 * 2**20),
        "memory_limit_bytes": 2 * 2**30,
        "log_path": f"logs/{name}.log",
        "log_tail": extra.get("log_tail", [f"{name}: step 1", f"{name}: 完成"]),
        "details": extra.get("details", {}),
    }


def _base_report(run_id: str) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "created": "2026-11-26T17:00:00+00:00",
        "harness_version": "0.1.0",
        "profile": {
            "name": "smoke",
            "train_images": 40,
            "test_images": 20,
            "train_budget_s": 60.0,
            "per_image_ms": PER_IMAGE_MS,
            "memory_limit_mb": 2048,
        },
        "time_scale": 1.0,
        "runner": {
            "name": "process",
            "enforcement": {
                "memory": True,
                "network": False,
                "read_only_data": True,
                "gpu": False,
                "notes": ["network not cut: no permission for a new network namespace"],
            },
        },
        "submission": {
            "path": "/tmp/sub",
            "name": "toy",
            "content_sha256": "0" * 64,
            "predict_served": None,
            "derived_manifest": None,
        },
        "data": {
            "source": "/tmp/data",
            "classes": CLASSES,
            "train_images": 40,
            "test_images": 20,
            "scaled_down": False,
            "warnings": [],
            "skipped_files": [],
        },
        "warnings": [],
        "files": {"resources": RUN.relative(RUN.resources)},
    }


def _write_resources(run_dir: Path, phases: list[tuple[str, float, float]], rng) -> None:
    with RunLayout(run_dir).resources.open("w") as handle:
        for phase, start, end in phases:
            for t in np.arange(start, end, 0.5):
                sample = {
                    "t": round(float(t), 2),
                    "phase": phase,
                    "memory_bytes": int(4e8 + 3e8 * rng.random()),
                    "cpu_percent": float(150 * rng.random()),
                    "gpu_memory_bytes": None,
                    "gpu_utilization": None,
                }
                handle.write(json.dumps(sample) + "\n")
        handle.write('{"t": 99, "phase": "pred')  # a torn last line, as after a kill


def _write(run_dir: Path, report: dict) -> None:
    RunLayout(run_dir).report.write_text(json.dumps(report, ensure_ascii=False), "utf-8")


# Metrics lines that time a step, as the reference submission writes them.
TIMED_STEPS = [
    {"stage": "decode", "images": 120, "size": 260, "seconds": 4.9, "images_per_s": 24.3},
    {
        "stage": "features",
        "backbone": "efficientnet_lite0",
        "copy": 1,
        "seconds": 12.5,
        "images_per_s": 9.6,
        "augmented_per_s": 632.0,
    },
    {"stage": "export", "members": ["lite0", "lite2"], "seconds": 0.6, "val_accuracy": 0.7},
]


def write_passed_run(run_dir: Path) -> Path:
    """18 of 20 right, two confused pairs, a metrics file over two stages."""
    rng = np.random.default_rng(1)
    run_dir.mkdir(parents=True)
    report = _base_report(run_dir.name)
    latencies = rng.gamma(4, 30, size=20)
    matrix = np.diag([4, 3, 4, 4, 3])
    matrix[0, 1] = matrix[1, 0] = 1
    matrix[4, 2] = 1
    correct = int(np.trace(matrix))
    report["phases"] = {
        "train": _phase(
            "train",
            "ok",
            "Training exited 0 and exported a model.",
            41.5,
            60.0,
            log_tail=["epoch 1", SCRIPT_IN_LOG, "train: 完成"],
        ),
        "predict": _phase(
            "predict",
            "ok",
            "Answered all 20 images within the limits.",
            6.2,
            None,
            details={"setup_s": 2.1, "answered": 20, "per_image_limit_s": PER_IMAGE_MS / 1000},
        ),
    }
    ordered = np.sort(latencies)
    report["score"] = {
        "accuracy": 100 * correct / 20,
        "correct": correct,
        "total": 20,
        "answered": 20,
        "per_class": {
            name: {
                "correct": int(matrix[i, i]),
                "total": int(matrix[i].sum()),
                "accuracy": float(100 * matrix[i, i] / matrix[i].sum()),
            }
            for i, name in enumerate(CLASSES)
        },
        "confusion": {"labels": CLASSES, "matrix": matrix.tolist(), "unanswered": [0] * 5},
        "error_cost": {"mean": 0.12, "table": "error_types.csv", "rows": 3},
        "latency_ms": {
            "count": 20,
            "p50": float(ordered[9]),
            "p95": float(ordered[18]),
            "p99": float(ordered[19]),
            "max": float(ordered[19]),
            "mean": float(latencies.mean()),
            "limit": PER_IMAGE_MS,
            "over_limit": 0,
        },
    }
    report["verdict"] = {"passed": True, "reasons": []}
    layout = RunLayout(run_dir)
    report["files"].update(
        predictions=RUN.relative(RUN.predictions), train_metrics=RUN.relative(RUN.train_metrics)
    )
    _write(run_dir, report)
    _write_resources(run_dir, [("train", 0, 41.5), ("predict", 41.5, 47.7)], rng)
    with layout.predictions.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "true", "predicted", "correct", "latency_ms"])
        for number, latency in enumerate(latencies):
            label = CLASSES[number % 5]
            writer.writerow([f"img{number:03d}", label, label, 1, f"{latency:.2f}"])
    layout.train_metrics.parent.mkdir()
    with layout.train_metrics.open("w") as handle:
        for step in TIMED_STEPS:
            handle.write(json.dumps(step) + "\n")
        for epoch in range(8):
            line = {
                "epoch": epoch % 4,
                "loss": 1.6 / (epoch + 1),
                "val_accuracy": 0.3 + epoch * 0.07,
                "stage": "head" if epoch < 4 else "fine_tune",
                "time": 1732650000.0 + epoch,
            }
            handle.write(json.dumps(line) + "\n")
    return run_dir


def write_failed_run(run_dir: Path) -> Path:
    """Training ran out of memory: no model, predict not run, no score."""
    rng = np.random.default_rng(2)
    run_dir.mkdir(parents=True)
    report = _base_report(run_dir.name)
    reason = "The process tree used more than its 2.0 GiB memory limit and was killed."
    report["phases"] = {
        "train": _phase(
            "train",
            "out_of_memory",
            reason,
            12.0,
            60.0,
            exit_code=None,
            peak_memory_bytes=2 * 2**30 + 5,
            peak_working_set_bytes=2 * 2**30 + 5,
            log_tail=["allocating", "Killed"],
        ),
        "predict": _phase(
            "predict",
            "not_run",
            "Training did not produce a model.",
            0.0,
            None,
            exit_code=None,
            peak_memory_bytes=None,
            peak_working_set_bytes=None,
            log_tail=[],
        ),
    }
    report["verdict"] = {"passed": False, "reasons": [f"train: {reason}"]}
    _write(run_dir, report)
    _write_resources(run_dir, [("train", 0, 12.0)], rng)
    return run_dir
