"""How long the run page takes, and how big it gets, for a contest-size run.

An online run has 100 classes, 600 test images, a 3-hour train phase sampled
about once a second and a hundred epochs of metrics; the page must stay quick
to write at the end of a run and small enough to open. Prints one table row
per run size.

    .venv/bin/python bench/report_page.py
"""

from __future__ import annotations

import csv
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from harness.report import plots
from harness.report.compare import comparison_rows, format_table, load_summaries
from harness.report.page import write_report_page
from harness.settings.run_layout import RunLayout

SIZES = (
    ("smoke", 5, 20, 60, 5),
    ("tune", 100, 300, 1800, 30),
    ("online", 100, 600, 3 * 3600, 100),
)


def write_run(root: Path, name: str, classes: int, tests: int, train_s: int, epochs: int) -> Path:
    """A synthetic run folder of the given size, after docs/report.md."""
    rng = np.random.default_rng(0)
    run = root / name
    run.mkdir()
    labels = [f"类别{number:03d}" for number in range(classes)]
    truth = rng.integers(0, classes, tests)
    predicted = np.where(rng.random(tests) < 0.8, truth, rng.integers(0, classes, tests))
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (truth, predicted), 1)
    latencies = rng.gamma(4, 25, tests)
    phase = {
        "status": "ok",
        "reason": "ok",
        "exit_code": 0,
        "peak_memory_bytes": 2**33,
        "memory_limit_bytes": 2**34,
        "log_tail": ["line"] * 40,
        "details": {},
    }
    report = {
        "schema_version": 1,
        "run_id": name,
        "profile": {"name": name, "per_image_ms": 500.0},
        "phases": {
            "train": {**phase, "phase": "train", "wall_s": train_s * 0.9, "limit_s": train_s},
            "predict": {**phase, "phase": "predict", "wall_s": tests * 0.1, "limit_s": None},
        },
        "score": {
            "accuracy": 100 * float(np.mean(truth == predicted)),
            "per_class": {label: {"accuracy": 80.0, "total": 6} for label in labels},
            "confusion": {"labels": labels, "matrix": matrix.tolist()},
            "latency_ms": {"p99": float(np.percentile(latencies, 99)), "limit": 500.0},
        },
        "verdict": {"passed": True, "reasons": []},
    }
    layout = RunLayout(run)
    layout.report.write_text(json.dumps(report, ensure_ascii=False), "utf-8")
    with layout.resources.open("w") as handle:
        for t in range(int(train_s + tests * 0.1)):
            sample = {
                "t": t,
                "phase": "train" if t < train_s else "predict",
                "memory_bytes": int(2**32 + 2**30 * rng.random()),
                "cpu_percent": 100 * rng.random(),
                "gpu_memory_bytes": 2**33,
                "gpu_utilization": 90 * rng.random(),
            }
            handle.write(json.dumps(sample) + "\n")
    with layout.predictions.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "latency_ms"])
        writer.writerows([number, f"{value:.3f}"] for number, value in enumerate(latencies))
    layout.train_metrics.parent.mkdir()
    with layout.train_metrics.open("w") as handle:
        for epoch in range(epochs):
            handle.write(
                json.dumps(
                    {
                        "epoch": epoch,
                        "loss": 1 / (epoch + 1),
                        "val_accuracy": 0.5 + epoch / (3 * epochs),
                    }
                )
                + "\n"
            )
    return run


def main() -> None:
    plots.cjk_font_family()  # font discovery once, outside the timings
    print("| run size | classes | test images | samples | page write (s) | page size (KiB) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        runs = []
        for name, classes, tests, train_s, epochs in SIZES:
            run = write_run(Path(folder), name, classes, tests, train_s, epochs)
            runs.append(run)
            started = time.perf_counter()
            page = write_report_page(run)
            elapsed = time.perf_counter() - started
            samples = int(train_s + tests * 0.1)
            size_kib = page.stat().st_size / 1024
            print(f"| {name} | {classes} | {tests} | {samples} | {elapsed:.2f} | {size_kib:.0f} |")
        started = time.perf_counter()
        format_table(comparison_rows(load_summaries(runs)))
        print(f"\ncompare of {len(runs)} runs (table only): {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
