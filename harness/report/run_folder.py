"""Reading a finished run's folder, tolerant of whatever a failed run left out.

A run that crashed in training has no predictions and no score; a killed
sampler may leave a half-written last line. The page and `compare` show what
is there and say what is missing, so loading never fails on a missing part,
only when the folder is not a run at all.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import UserError
from harness.report.schema import PhaseEntry, RunReport, ScoreSection, Verdict
from harness.settings.run_layout import RunLayout


@dataclass
class RunFolder:
    """One run's report and traces, each possibly empty."""

    path: Path
    report: RunReport
    resources: list[dict] = field(default_factory=list)
    train_metrics: list[dict] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.report.get("run_id") or self.path.name)

    def phase(self, name: str) -> PhaseEntry:
        """The phase's entry in report.json, or an empty dict when absent."""
        return (self.report.get("phases") or {}).get(name) or {}

    def phase_names(self) -> list[str]:
        return list((self.report.get("phases") or {}).keys())

    @property
    def score(self) -> ScoreSection:
        return self.report.get("score") or {}

    @property
    def verdict(self) -> Verdict:
        return self.report.get("verdict") or {}


def load_run(run_dir: Path) -> RunFolder:
    """Read a run folder; UserError when it holds no readable report.json."""
    run_dir = Path(run_dir)
    layout = RunLayout(run_dir)
    report_path = layout.report
    if not run_dir.is_dir():
        raise UserError(
            f"{run_dir} is not a folder",
            hint="give a run folder made by `onlinesim simulate`, e.g. runs/<id>",
        )
    if not report_path.is_file():
        raise UserError(
            f"{run_dir} is not a run folder: it has no {report_path.name}",
            hint="give a run folder made by `onlinesim simulate`, e.g. runs/<id>",
        )
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UserError(
            f"{report_path} is not valid JSON ({error})",
            hint="the run may have been interrupted while writing it; run it again",
        ) from error
    if not isinstance(report, dict):
        raise UserError(f"{report_path} does not hold a JSON object", hint="run it again")
    files = report.get("files") or {}
    return RunFolder(
        path=run_dir,
        report=report,
        resources=read_json_lines(_locate(layout, files, "resources", layout.resources)),
        train_metrics=read_json_lines(
            _locate(layout, files, "train_metrics", layout.train_metrics)
        ),
        latencies_ms=read_latencies(_locate(layout, files, "predictions", layout.predictions)),
    )


def read_json_lines(path: Path) -> list[dict]:
    """Every JSON object line of a file; blank, torn or non-object lines are passed over."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            rows.append(value)
    return rows


def read_latencies(path: Path) -> list[float]:
    """The latency_ms column of predictions.csv; empty when the file or column is absent."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        latencies = []
        for row in csv.DictReader(handle):
            try:
                latencies.append(float(row.get("latency_ms") or ""))
            except ValueError:
                continue
        return latencies


def _locate(layout: RunLayout, files: dict, key: str, default: Path) -> Path:
    """Where report.json's `files` says the file is, else its usual place."""
    named = files.get(key) if isinstance(files, dict) else None
    if isinstance(named, str) and named:
        candidate = Path(named)
        return candidate if candidate.is_absolute() else layout.root / candidate
    return default
