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


def _served_accuracy(capsys, runs: Path, package: Path, data: Path) -> float:
    args = ["--submission", str(package), "--data", str(data), "--profile", "smoke"]
    before = set(runs.glob("*/report.json"))
    assert main(["simulate", "--runs-dir", str(runs), *args, "--runner", "process"]) == 0
    capsys.readouterr()
    (report_path,) = set(runs.glob("*/report.json")) - before
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["phases"]["predict"]["status"] == "ok"
    return report["score"]["accuracy"]


def test_a_wrong_declared_mean_scores_lower(capsys, tmp_path: Path, toys_dir, three_class_set):
    """The platform applied the declared preprocessing, not the team's: a package that
    declares per-channel means it did not train with is served shifted colours and loses
    (the generated classes differ by hue)."""
    right = tmp_path / "right"
    shutil.copytree(toys_dir / "contest_savedmodel", right)
    wrong = tmp_path / "wrong"
    shutil.copytree(right, wrong)
    manifest = wrong / "submission.toml"
    text = manifest.read_text(encoding="utf-8")
    assert "\nmean = 127.5\n" in text
    manifest.write_text(text.replace("\nmean = 127.5\n", "\nmean = [255, 127.5, 0]\n"), "utf-8")
    runs = tmp_path / "runs"
    right_accuracy = _served_accuracy(capsys, runs, right, three_class_set)
    wrong_accuracy = _served_accuracy(capsys, runs, wrong, three_class_set)
    assert right_accuracy >= 80
    assert wrong_accuracy < right_accuracy - 20
