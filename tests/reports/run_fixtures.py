"""Run folders written by hand after docs/report.md's schema: one passed, one failed.

Numbers come from a seeded generator so the pages differ run to run only
where the code changes. Class names are Chinese, as in the contest.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

CLASSES = ["充电器", "充电线", "纸箱", "拖把", "耳机"]
PER_IMAGE_MS = 500


def _phase(name: str, status: str, reason: str, wall_s: float, limit_s: float, **extra) -> dict:
    return {
        "phase": name,
        "status": status,
        "reason": reason,
        "wall_s": wall_s,
        "limit_s": limit_s,
        "exit_code": extra.pop("exit_code", 0),
        "peak_memory_bytes": extra.pop("peak_memory_bytes", 900 * 2**20),
        "memory_limit_bytes": 2 * 2**30,
        "log_path": f"logs/{name}.log",
        "log_tail": extra.pop("log_tail", [f"{name}: step 1", f"{name}: done 完成"]),
        "details": extra.pop("details", {}),
    }


def _base_report(run_id: str) -> dict:
    return {
        "schema_version": 1,
        "run_id": run_id,
        "created": "2026-11-26T17:00:00+00:00",
        "profile": {
            "name": "smoke",
            "train_images": 40,
            "test_images": 20,
            "train_budget_s": 60,
            "per_image_ms": PER_IMAGE_MS,
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
        "submission": {"path": "/tmp/sub", "name": "toy", "content_sha256": "0" * 64},
        "data": {
            "classes": CLASSES,
            "train_images": 40,
            "test_images": 20,
            "warnings": [],
            "skipped_files": [],
        },
        "files": {},
    }


def _write_resources(run_dir: Path, phases: list[tuple[str, float, float]], rng) -> None:
    with (run_dir / "resources.jsonl").open("w") as handle:
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


def write_passed_run(run_dir: Path) -> Path:
    rng = np.random.default_rng(1)
    run_dir.mkdir(parents=True)
    report = _base_report(run_dir.name)
    latencies = rng.gamma(4, 30, size=20)
    matrix = np.diag([4, 3, 4, 4, 3])
    matrix[0, 1] = matrix[1, 0] = 1
    matrix[4, 2] = 1
    correct = int(np.trace(matrix))
    report["phases"] = {
        "train": _phase("train", "ok", "trained and exported a model", 41.5, 60),
        "predict": _phase(
            "predict",
            "ok",
            "answered every image",
            6.2,
            120,
            details={"setup_s": 2.1, "answered": 20, "expected": 20},
        ),
    }
    report["score"] = {
        "accuracy": correct / 20,
        "correct": correct,
        "total": 20,
        "per_class": {
            name: {
                "correct": int(matrix[i, i]),
                "total": int(matrix[i].sum()),
                "accuracy": float(matrix[i, i] / matrix[i].sum()),
            }
            for i, name in enumerate(CLASSES)
        },
        "confusion": {"labels": CLASSES, "matrix": matrix.tolist()},
        "error_cost": 0.12,
        "latency_ms": {
            "p50": float(np.percentile(latencies, 50)),
            "p95": float(np.percentile(latencies, 95)),
            "p99": float(np.percentile(latencies, 99)),
            "max": float(latencies.max()),
            "limit": PER_IMAGE_MS,
            "over_limit": 0,
        },
    }
    report["verdict"] = {"passed": True, "reasons": []}
    (run_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    _write_resources(run_dir, [("train", 0, 41.5), ("predict", 41.5, 47.7)], rng)
    with (run_dir / "predictions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label", "latency_ms"])
        for number, latency in enumerate(latencies):
            writer.writerow([f"img{number:03d}", CLASSES[number % 5], f"{latency:.2f}"])
    with (run_dir / "train_metrics.jsonl").open("w") as handle:
        for epoch in range(8):
            stage = "head" if epoch < 4 else "fine_tune"
            line = {
                "epoch": epoch % 4,
                "loss": 1.6 / (epoch + 1),
                "val_accuracy": 0.3 + epoch * 0.07,
                "stage": stage,
                "time": 1732650000.0 + epoch,
            }
            handle.write(json.dumps(line) + "\n")
    return run_dir


def write_failed_run(run_dir: Path) -> Path:
    """Training ran out of memory: no model, predict not run, no score."""
    rng = np.random.default_rng(2)
    run_dir.mkdir(parents=True)
    report = _base_report(run_dir.name)
    report["phases"] = {
        "train": _phase(
            "train",
            "out_of_memory",
            "the process tree used more than the 2.0 GiB memory limit",
            12.0,
            60,
            exit_code=-9,
            peak_memory_bytes=2 * 2**30 + 5,
            log_tail=["allocating", "Killed"],
        ),
        "predict": _phase(
            "predict",
            "not_run",
            "training did not produce a model",
            0.0,
            120,
            exit_code=None,
            peak_memory_bytes=None,
            log_tail=[],
        ),
    }
    report["score"] = None
    report["verdict"] = {
        "passed": False,
        "reasons": [
            "train: out_of_memory: the process tree used more than the 2.0 GiB memory limit"
        ],
    }
    (run_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    _write_resources(run_dir, [("train", 0, 12.0)], rng)
    return run_dir
