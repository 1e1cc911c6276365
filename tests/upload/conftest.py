"""A small but valid submission folder to package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.package import content_hash
from harness.settings.run_layout import RunLayout


def write_report(runs: Path, run_id: str, content_sha256: str, **overrides) -> Path:
    """A report.json in the documented schema (docs/report.md), as simulate writes it."""
    report = {
        "schema_version": 1,
        "run_id": run_id,
        "profile": {"name": "online"},
        "submission": {"name": "tiny-entry", "content_sha256": content_sha256},
        "data": {"classes": ["纸箱", "充电器", "mop"]},
        "score": {"accuracy": 81.48},
        "verdict": {"passed": True, "reasons": []},
    }
    for key, value in overrides.items():
        report[key] = value
    path = RunLayout(runs / run_id).report
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def passed(tmp_path: Path, submission: Path) -> Path:
    """A runs/ folder holding a passing online report for the `submission` fixture."""
    runs = tmp_path / "runs"
    write_report(runs, "20261126-170000-online-0001", content_hash(submission))
    return runs


@pytest.fixture
def make_report():
    """The report writer itself, for tests that change the content first."""
    return write_report
