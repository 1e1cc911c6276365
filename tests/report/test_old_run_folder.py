"""A schema-1 run folder (answer key in answers.csv) still opens: `report` and `compare`.

The folder is written by hand, file by file, as the schema-1 harness left it,
so that a change to today's writers cannot make this test agree with itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.report.document import SCHEMA_VERSION

OLD_REPORT = {
    "schema_version": 1,
    "run_id": "20261120-100000-smoke-abcd",
    "created": "2026-11-20T10:00:00+00:00",
    "harness_version": "0.1.0",
    "profile": {"name": "smoke", "train_budget_s": 60.0, "per_image_ms": 500.0},
    "time_scale": 1.0,
    "runner": {"name": "process", "enforcement": {"memory": True, "network": False}},
    "submission": {"path": "/tmp/sub", "name": "old", "content_sha256": "1" * 64},
    "data": {
        "source": "/tmp/data",
        "classes": ["glass", "paper"],
        "train_images": 4,
        "test_images": 2,
        "scaled_down": False,
        "warnings": [],
        "skipped_files": [],
    },
    "phases": {
        "train": {
            "phase": "train",
            "status": "ok",
            "reason": "Training exited 0 and exported a model.",
            "wall_s": 3.0,
            "limit_s": 60.0,
            "exit_code": 0,
            "peak_memory_bytes": 100 * 2**20,
            "memory_limit_bytes": 2**30,
            "log_path": "logs/train.log",
            "log_tail": ["old train done"],
            "details": {},
        },
        "predict": {
            "phase": "predict",
            "status": "ok",
            "reason": "Answered all 2 images within the limits.",
            "wall_s": 1.0,
            "limit_s": None,
            "exit_code": 0,
            "peak_memory_bytes": 90 * 2**20,
            "memory_limit_bytes": 2**30,
            "log_path": "logs/predict.log",
            "log_tail": ["old predict done"],
            "details": {"setup_s": 0.5, "answered": 2},
        },
    },
    "score": {
        "accuracy": 50.0,
        "correct": 1,
        "total": 2,
        "answered": 2,
        "per_class": {
            "glass": {"correct": 1, "total": 1, "accuracy": 100.0},
            "paper": {"correct": 0, "total": 1, "accuracy": 0.0},
        },
        "confusion": {"labels": ["glass", "paper"], "matrix": [[1, 0], [1, 0]]},
        "latency_ms": {
            "count": 2,
            "p50": 10.0,
            "p95": 20.0,
            "p99": 20.0,
            "max": 20.0,
            "mean": 15.0,
            "limit": 500.0,
            "over_limit": 0,
        },
    },
    "verdict": {"passed": True, "reasons": []},
    "warnings": [],
    "files": {
        "config": "config.json",
        "resources": "resources.jsonl",
        "answers": "answers.csv",
        "predictions": "predictions.csv",
        "train_log": "logs/train.log",
        "predict_log": "logs/predict.log",
    },
}


def _old_run(root: Path) -> Path:
    run_dir = root / OLD_REPORT["run_id"]
    (run_dir / "logs").mkdir(parents=True)
    (run_dir / "report.json").write_text(json.dumps(OLD_REPORT), encoding="utf-8")
    (run_dir / "config.json").write_text('{"profile": "smoke"}', encoding="utf-8")
    (run_dir / "answers.csv").write_text("id,label\na1,glass\na2,paper\n", encoding="utf-8")
    (run_dir / "predictions.csv").write_text(
        "id,source,true,predicted,correct,latency_ms\n"
        "a1,glass/1.jpg,glass,glass,1,10.000\n"
        "a2,paper/2.jpg,paper,glass,0,20.000\n",
        encoding="utf-8",
    )
    (run_dir / "resources.jsonl").write_text(
        '{"t": 0.5, "phase": "train", "memory_bytes": 1000, "cpu_percent": 50.0}\n',
        encoding="utf-8",
    )
    for phase in ("train", "predict"):
        (run_dir / "logs" / f"{phase}.log").write_text(f"old {phase} done\n", encoding="utf-8")
    return run_dir


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=120
    )


def test_the_schema_moved_on_from_the_old_folder():
    assert SCHEMA_VERSION > OLD_REPORT["schema_version"]


def test_report_rebuilds_the_page_of_an_old_run(tmp_path: Path):
    old = _old_run(tmp_path)

    result = _cli("report", str(old))

    assert result.returncode == 0, result.stderr
    page = (old / "report.html").read_text(encoding="utf-8")
    assert OLD_REPORT["run_id"] in page
    assert "50.00" in page
    assert "old predict done" in page


def test_compare_puts_an_old_run_beside_a_new_one(tmp_path: Path, passed_run: Path):
    old = _old_run(tmp_path)

    result = _cli("compare", str(old), str(passed_run))

    assert result.returncode == 0, result.stderr
    header, _rule, *rows = result.stdout.splitlines()
    assert old.name in header and passed_run.name in header
    score = next(row for row in rows if row.startswith("score"))
    assert score.split()[1:] == ["50.00", "90.00"]
