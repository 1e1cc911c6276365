"""A 2019-style package (tests/toys/contest_savedmodel) rehearsed end to end, served by OpenVINO."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main


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
