"""Pages of real runs: `onlinesim simulate` on toy submissions, then opened in Chromium.

The hand-written folders test every section; these check that the page the
simulator itself writes at the end of a run works with what a run really
leaves behind.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cdp_browser import Chromium

from harness.data.demo import make_image_set
from harness.report.run_folder import read_json_lines
from harness.runners import gpu
from harness.settings.run_layout import RunLayout

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def real_runs(artifacts: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    data = make_image_set(
        tmp_path_factory.mktemp("data") / "set", ["充电器", "纸箱", "拖把"], 30, size=32
    )
    runs = {}
    for toy in ("constant", "no_model"):
        runs_dir = artifacts / "real-runs" / toy
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "harness",
                "simulate",
                "--profile",
                "smoke",
                "--submission",
                str(REPO / "tests" / "toys" / toy),
                "--data",
                str(data),
                "--runs-dir",
                str(runs_dir),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode in (0, 1), result.stderr
        (run_dir,) = runs_dir.iterdir()
        runs[toy] = run_dir
    return runs


def _visit_offline(browser: Chromium, run_dir: Path):
    """Open the run's page; it must load nothing from the network and render a real picture."""
    screenshot = run_dir / "report_screenshot.png"
    visit = browser.visit(RunLayout(run_dir).page, screenshot)
    assert visit.network_requests() == []
    assert screenshot.stat().st_size > 20_000
    return visit


def test_a_real_passed_run_page(real_runs: dict[str, Path], browser: Chromium):
    run_dir = real_runs["constant"]
    visit = _visit_offline(browser, run_dir)
    assert "PASSED" in visit.text
    decoded = {image["alt"] for image in visit.images if image["width"] > 0}
    assert {
        "resource timeline: CPU and memory",
        "latency histogram",
        "per-class accuracy",
        "confusion among the most confused classes",
    } <= decoded
    assert "充电器" in visit.text


def test_a_real_failed_run_page(real_runs: dict[str, Path], browser: Chromium):
    run_dir = real_runs["no_model"]
    visit = _visit_offline(browser, run_dir)
    assert "FAILED" in visit.text
    assert "no_model_exported" in visit.text
    assert "No per-image answer times." in visit.text


def test_the_runs_gpu_samples_match_this_machine(real_runs: dict[str, Path]):
    """The monitor samples GPU through harness.runners.gpu: null without a GPU, bytes with one."""
    rows = read_json_lines(RunLayout(real_runs["constant"]).resources)

    assert rows
    if gpu.gpu_available():
        assert all(isinstance(row["gpu_memory_bytes"], int) for row in rows)
    else:
        assert all(row["gpu_memory_bytes"] is None for row in rows)
        assert all(row["gpu_utilization"] is None for row in rows)
