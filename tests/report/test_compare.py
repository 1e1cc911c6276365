"""`onlinesim compare` on a passed and a failed run, through the real CLI process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cdp_browser import Chromium

from harness.report.compare import comparison_rows, format_table, load_summaries


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], capture_output=True, text=True, timeout=120
    )


def test_table_puts_runs_side_by_side(passed_run: Path, failed_run: Path):
    rows = comparison_rows(load_summaries([passed_run, failed_run]))

    by_label = {row[0]: row[1:] for row in rows}
    assert rows[0][1:] == [passed_run.name, failed_run.name]
    assert by_label["verdict"] == ["passed", "FAILED"]
    assert by_label["score"] == ["90.00", "–"]
    assert by_label["train"] == ["ok", "out_of_memory"]
    assert by_label["predict"] == ["ok", "not_run"]
    assert by_label["peak memory"] == ["900.0 MiB", "2.0 GiB"]
    assert by_label["peak working set"] == ["600.0 MiB", "2.0 GiB"]
    assert by_label["latency p99"][0].endswith("ms (limit 500)")


def test_terminal_table_columns_line_up(passed_run: Path, failed_run: Path):
    text = format_table(comparison_rows(load_summaries([passed_run, failed_run])))

    lines = text.splitlines()
    column = lines[0].index(failed_run.name)
    assert lines[1].split()[0] == "-" * len("train time / budget")
    assert all(len(line) <= column or line[column - 2 : column] == "  " for line in lines)


def test_cli_prints_the_table_and_writes_a_page(
    passed_run: Path, failed_run: Path, tmp_path: Path, browser: Chromium
):
    page = tmp_path / "out" / "compare.html"

    result = _cli("compare", str(passed_run), str(failed_run), "--html", str(page))

    assert result.returncode == 0, result.stderr
    assert "out_of_memory" in result.stdout and "90.00" in result.stdout
    visit = browser.visit(page)
    assert visit.network_requests() == []
    assert "FAILED" in visit.text and "more than its 2.0 GiB memory limit" in visit.text
    assert [image["width"] > 0 for image in visit.images] == [True]


def test_cli_refuses_a_folder_that_is_not_a_run(passed_run: Path, tmp_path: Path):
    result = _cli("compare", str(passed_run), str(tmp_path))

    assert result.returncode == 2
    assert "is not a run folder: it has no report.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_needs_two_runs(passed_run: Path):
    result = _cli("compare", str(passed_run))

    assert result.returncode == 2
    assert "at least two run folders" in result.stderr
