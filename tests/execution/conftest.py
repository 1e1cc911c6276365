"""Fixtures for the execution tests: a fresh run folder per test, one process runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from exec_support import folder_to_hide
from phase_support import RunFolder, make_run_folder

from harness.runners.process import ProcessRunner


@pytest.fixture
def run_folder(tmp_path: Path) -> RunFolder:
    return make_run_folder(tmp_path, hidden=(folder_to_hide(tmp_path),))


@pytest.fixture(scope="session")
def runner() -> ProcessRunner:
    return ProcessRunner(sample_interval_s=0.05)
