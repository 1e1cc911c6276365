"""`onlinesim report RUN_DIR` rebuilds the page; bad folders get a plain message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from harness.settings.run_layout import RunLayout


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=120
    )


def _read_report(run_dir: Path) -> dict:
    return json.loads(RunLayout(run_dir).report.read_text(encoding="utf-8"))


def _page_for(run_dir: Path, report: dict) -> str:
    """Write an edited report.json, rebuild the page with the CLI, return the page's HTML."""
    RunLayout(run_dir).report.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    result = _cli("report", str(run_dir))
    assert result.returncode == 0, result.stderr
    return RunLayout(run_dir).page.read_text(encoding="utf-8")


def test_report_regenerates_the_page(passed_run: Path):
    page = RunLayout(passed_run).page
    page.write_text("stale", encoding="utf-8")
    before = {p: p.read_bytes() for p in passed_run.rglob("*") if p.is_file() and p != page}

    result = _cli("report", str(passed_run))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(page)
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    after = {p: p.read_bytes() for p in passed_run.rglob("*") if p.is_file() and p != page}
    assert after == before, "regenerating the page must not touch the run's other files"


def test_report_on_a_folder_without_report_json(tmp_path: Path):
    result = _cli("report", str(tmp_path))

    assert result.returncode == 2
    assert f"{tmp_path} is not a run folder: it has no report.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_on_a_torn_report_json(tmp_path: Path):
    RunLayout(tmp_path).report.write_text('{"run_id": "x", "phases": {', encoding="utf-8")

    result = _cli("report", str(tmp_path))

    assert result.returncode == 2
    assert "is not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_report_on_a_bare_report_still_makes_a_page(tmp_path: Path):
    """A run killed early may leave little more than a verdict; the page says what is absent."""
    RunLayout(tmp_path).report.write_text(
        json.dumps({"verdict": {"passed": False, "reasons": ["harness error"]}}), encoding="utf-8"
    )

    result = _cli("report", str(tmp_path))

    assert result.returncode == 0, result.stderr
    html = RunLayout(tmp_path).page.read_text(encoding="utf-8")
    assert "FAILED" in html and "harness error" in html
    assert "No phase ran." in html and "No resource samples were recorded." in html


def test_the_per_image_limit_is_shown_for_predict_not_drawn_as_a_budget(passed_run: Path):
    """Predict's limit_s is null; its per-image limit (details) must not read as 'far over'."""
    assert _cli("report", str(passed_run)).returncode == 0
    html = RunLayout(passed_run).page.read_text(encoding="utf-8")
    assert "0.5s per image" in html
    assert 'class="over"' not in html


def test_an_older_report_with_the_per_image_limit_in_limit_s_reads_the_same(passed_run: Path):
    report = _read_report(passed_run)
    report["phases"]["predict"]["limit_s"] = 0.5
    del report["phases"]["predict"]["details"]["per_image_limit_s"]

    html = _page_for(passed_run, report)
    assert "0.5s per image" in html
    assert 'class="over"' not in html


def test_gpu_memory_peak_and_limit_are_shown_beside_host_memory(passed_run: Path):
    report = _read_report(passed_run)
    report["phases"]["train"]["peak_gpu_memory_bytes"] = 3 * 2**30
    report["phases"]["train"]["gpu_memory_limit_bytes"] = 4 * 2**30

    html = _page_for(passed_run, report)
    assert "GPU 3.0 GiB / 4.0 GiB" in html
    assert html.count("; GPU ") == 1  # predict measured no GPU: nothing added there


def test_the_working_set_is_shown_beside_the_peak_where_it_differs(passed_run: Path):
    report = _read_report(passed_run)
    train, predict = report["phases"]["train"], report["phases"]["predict"]
    train["peak_working_set_bytes"] = 300 * 2**20  # a docker run's page cache left out
    predict["peak_working_set_bytes"] = predict["peak_memory_bytes"]  # the process runner

    html = _page_for(passed_run, report)
    assert "900.0 MiB / 2.0 GiB; host working set 300.0 MiB" in html
    assert html.count("host working set ") == 1
