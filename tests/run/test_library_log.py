"""Library warnings of the harness's own process go to the run's harness.log, not the terminal."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

from harness.run.library_log import LibraryLog

REPO = Path(__file__).resolve().parents[2]
PILLOW_WARNING = "Palette images with Transparency expressed in bytes"


def test_a_real_run_keeps_pillows_warning_in_its_log_and_off_the_terminal(
    tmp_path, toys_dir, set_pillow_warns_on
):
    runs = tmp_path / "runs"
    argv = [sys.executable, "-m", "harness", "simulate", "--submission", str(toys_dir / "constant")]
    argv += ["--data", str(set_pillow_warns_on), "--profile", "smoke", "--runner", "process"]
    result = subprocess.run(
        [*argv, "--runs-dir", str(runs)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert all(line.startswith(("onlinesim: ", "  ")) for line in result.stdout.splitlines())
    (run,) = runs.iterdir()
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    assert report["files"]["harness_log"] == "logs/harness.log"
    assert PILLOW_WARNING in (run / "logs" / "harness.log").read_text(encoding="utf-8")


def test_records_from_before_the_folder_are_written_once_it_exists(tmp_path, capfd):
    log = tmp_path / "run" / "logs" / "harness.log"
    with LibraryLog() as library:
        warnings.warn("said before the folder", UserWarning, stacklevel=1)
        library.write_to(log)
        logging.getLogger("some.library").warning("said after")
    text = log.read_text(encoding="utf-8")
    assert "said before the folder" in text and "said after" in text
    assert text.index("said before the folder") < text.index("said after")
    assert capfd.readouterr().err == ""


def test_a_run_refused_before_its_folder_shows_what_was_held_on_stderr(capfd):
    with LibraryLog():
        warnings.warn("nowhere to keep this", UserWarning, stacklevel=1)
    assert "nowhere to keep this" in capfd.readouterr().err


def test_after_the_run_warnings_and_logging_are_as_before(tmp_path):
    handlers = list(logging.getLogger().handlers)
    with LibraryLog() as library:
        library.write_to(tmp_path / "harness.log")
    assert logging.getLogger().handlers == handlers
    assert warnings.showwarning.__module__ == "warnings"
