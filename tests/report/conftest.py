"""Fixtures for the report tests: hand-written run folders and one shared browser.

Run folders whose pages the browser checks are written under
runs/test-artifacts/reports/ (or $ONLINESIM_TEST_ARTIFACTS/reports/), not a
temporary folder, so CI can keep the pages and their screenshots as artifacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cdp_browser import Chromium
from report_fixtures import write_failed_run, write_passed_run

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    root = Path(os.environ.get("ONLINESIM_TEST_ARTIFACTS", REPO / "runs" / "test-artifacts"))
    folder = root / "reports"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Chromium]:
    with Chromium() as chromium:
        yield chromium


@pytest.fixture
def passed_run(tmp_path: Path) -> Path:
    return write_passed_run(tmp_path / "20261126-170000-smoke-pass")


@pytest.fixture
def failed_run(tmp_path: Path) -> Path:
    return write_failed_run(tmp_path / "20261126-170000-smoke-fail")
