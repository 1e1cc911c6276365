"""A 2019-style package (tests/toys/contest_savedmodel) rehearsed end to end, served by OpenVINO."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.cli.main import main
from harness.package import content_hash


def test_the_contest_fixture_passes_smoke_with_served_prediction(
    capsys, tmp_path: Path, toys_dir: Path, three_class_set: Path
):
    runs = tmp_path / "runs"
    code = main(
        [
            "simulate",
            "--runs-dir",
            str(runs),
            "--submission",
            str(toys_dir / "contest_savedmodel"),
            "--data",
            str(three_class_set),
            "--profile",
            "smoke",
            "--runner",
            "process",
        ]
    )
    out = capsys.readouterr().out
    (report_path,) = runs.glob("*/report.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert code == 0, out
    assert report["phases"]["predict"]["status"] == "ok"
    assert report["score"]["accuracy"] >= 80
    served = report["submission"]["predict_served"]
    assert served["serve"] == "savedmodel" and served["input_size"] == [32, 32]
    assert served["mean"] == [127.5] * 3 and not served["reverse_channels"]


def test_a_contest_layout_folder_runs_as_it_is(capsys, tmp_path: Path, toys_dir, three_class_set):
    """No submission.toml: train runs python_package/model.py, predict is served; the report
    says so and keeps the derived manifest."""
    package = tmp_path / "upload"
    shutil.copytree(toys_dir / "contest_savedmodel", package)
    (package / "submission.toml").unlink()
    (package / "team-predict.jar").write_bytes(b"PK")
    runs = tmp_path / "runs"
    args = ["--submission", str(package), "--data", str(three_class_set), "--profile", "smoke"]
    code = main(["simulate", "--runs-dir", str(runs), *args, "--runner", "process"])
    out = capsys.readouterr().out
    (report_path,) = runs.glob("*/report.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert code == 0, out
    derived = report["submission"]["derived_manifest"]
    assert derived["train"]["command"] == ["python", "python_package/model.py"]
    assert derived["predict"]["input_size"] == [32, 32]
    assert report["submission"]["content_sha256"] == content_hash(package)
    assert any(
        "no submission.toml: run in the contest layout" in w and "team-predict.jar" in w
        for w in report["warnings"]
    )
