"""Hostile and careless inputs are refused (or handled) before any phase runs, never a trace."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from harness.cli.main import main

LATIN1_NAME = os.fsdecode(b"caf\xe9")  # not UTF-8: the surrogate-escaped name Python gives it


def simulate(runs: Path, submission: Path, data: Path) -> int:
    argv = ["simulate", "--runs-dir", str(runs), "--submission", str(submission)]
    return main([*argv, "--data", str(data), "--profile", "smoke", "--runner", "process"])


@pytest.mark.parametrize("target", ["/etc/shadow", "..", "DATA"])
def test_a_link_out_of_the_package_is_refused_as_package_would(
    capsys, tmp_path, toys_dir, three_class_set, target
) -> None:
    toy = tmp_path / "toy"
    shutil.copytree(toys_dir / "constant", toy)
    (toy / "out").symlink_to(three_class_set if target == "DATA" else target)
    code = simulate(tmp_path / "runs", toy, three_class_set)
    captured = capsys.readouterr()
    assert code == 2 and not list((tmp_path / "runs").glob("*/report.json"))
    assert "out: a link that points outside the package" in captured.out + captured.err


def test_a_file_with_a_non_utf8_name_in_the_package_gives_no_trace(
    capsys, tmp_path, toys_dir, three_class_set
) -> None:
    toy = tmp_path / "toy"
    shutil.copytree(toys_dir / "constant", toy)
    (toy / LATIN1_NAME).write_bytes(b"notes")
    code = simulate(tmp_path / "runs", toy, three_class_set)
    captured = capsys.readouterr()
    assert code == 2 and not list((tmp_path / "runs").glob("*/report.json"))
    assert "caf\\xe9: a name that is not UTF-8" in captured.out + captured.err


@pytest.mark.parametrize("where", ["class folder", "image"])
def test_a_data_set_name_that_is_not_utf8_gives_a_message_not_a_trace(
    capsys, tmp_path, toys_dir, three_class_set, where
) -> None:
    data = tmp_path / "data"
    shutil.copytree(three_class_set, data)
    first_class = sorted(p for p in data.iterdir() if p.is_dir())[0]
    if where == "class folder":
        first_class.rename(data / LATIN1_NAME)
    else:
        image = sorted(first_class.iterdir())[0]
        image.rename(first_class / (LATIN1_NAME + ".jpg"))
    code = simulate(tmp_path / "runs", toys_dir / "constant", data)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 2 and not list((tmp_path / "runs").glob("*/report.json"))
    assert "caf\\xe9" in captured.out + captured.err and "not UTF-8" in captured.out + captured.err
