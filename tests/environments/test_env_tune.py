"""Tune validates on the training side only: the hold-out reserve never reaches its stage."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from harness.cli.main import main
from harness.data.holdout import split_holdout
from harness.data.image_reads import file_sha256
from harness.data.scan import scan_dataset
from harness.settings.config import resolve_config
from harness.settings.run_layout import RunLayout


def _reserve_and_pool(data: Path) -> tuple[set[str], set[str]]:
    config = resolve_config({"profile": "tune", "submission": ".", "data": str(data)})
    holdout = split_holdout(scan_dataset(data), config.holdout_fraction, config.holdout_seed)
    reserve = {file_sha256(p) for files in holdout.reserve.values() for p in files}
    pool = {file_sha256(p) for files in holdout.pool.values() for p in files}
    return reserve, pool


def _hashes(folder: Path) -> set[str]:
    return {file_sha256(p) for p in folder.rglob("*") if p.is_file()}


def test_tune_stages_nothing_from_the_reserve(
    ray_here, tmp_path: Path, data: Path, toy: Path, capsys
):
    variant = tmp_path / "wider.toml"
    variant.write_text("width = 2\n", encoding="utf-8")
    runs = tmp_path / "runs"
    args = ["tune", "--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main([*args, "--config-variant", str(variant)]) == 0
    out = capsys.readouterr().out
    assert "baseline" in out and "wider" in out and "best validation accuracy" in out
    assert "onlinesim: 2 variants on Ray" in out
    assert sum(line.startswith("onlinesim: [") for line in out.splitlines()) == 2
    assert "warning: Scaled down: the profile asks for 1000 train / 300 test images" in out

    reserve, pool = _reserve_and_pool(data)
    assert reserve and pool and not reserve & pool
    (session,) = runs.glob("tune-*")
    assert _hashes(session / "data") == pool
    reports = sorted(runs.glob("*/report.json"))
    assert len(reports) == 2
    for path in reports:
        run = RunLayout(path.parent)
        report = json.loads(path.read_text(encoding="utf-8"))
        assert report["profile"]["name"] == "tune"
        assert report["data"]["test_images"] > 0
        staged = _hashes(run.stage_train) | _hashes(run.stage_test)
        assert staged <= pool
        assert not staged & reserve
        with run.predictions.open(encoding="utf-8") as handle:
            sources = [row["source"] for row in csv.DictReader(handle)]
        assert sources and all((session / "data" / s).is_file() for s in sources)

    summary = json.loads((session / "summary.json").read_text(encoding="utf-8"))
    assert [row["variant"] for row in summary["rows"]] == ["baseline", "wider"]
    assert not (session / "variants").exists()


def test_variant_runs_on_a_copy_and_leaves_the_folder_alone(
    ray_here, tmp_path: Path, data: Path, toy: Path
) -> None:
    (toy / "config.toml").write_text("width = 1\n", encoding="utf-8")
    variant = tmp_path / "v.toml"
    variant.write_text("width = 9\n", encoding="utf-8")
    runs = tmp_path / "runs"
    args = ["tune", "--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main([*args, "--config-variant", str(variant)]) == 0
    assert (toy / "config.toml").read_text(encoding="utf-8") == "width = 1\n"
    hashes = {
        json.loads(p.read_text(encoding="utf-8"))["submission"]["content_sha256"]
        for p in runs.glob("*/report.json")
    }
    assert len(hashes) == 2


def test_missing_variant_file_is_a_user_error(tmp_path: Path, data: Path, toy: Path, capsys):
    args = ["tune", "--submission", str(toy), "--data", str(data)]
    assert main([*args, "--config-variant", str(tmp_path / "nope.toml")]) == 2
    assert "config variant not found" in capsys.readouterr().err


def test_a_crashing_variant_is_reported_with_its_reason_and_the_others_finish(
    ray_here, tmp_path: Path, data: Path, toy: Path, capsys
) -> None:
    crash = tmp_path / "crash.toml"
    crash.write_text(
        '[train]\ncommand = ["python", "-c", "raise SystemExit(3)"]\n', encoding="utf-8"
    )
    runs = tmp_path / "runs"
    args = ["tune", "--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main([*args, "--config-variant", str(crash), "--variant-target", "submission.toml"]) == 1
    out = capsys.readouterr().out
    assert "] baseline: passed val acc" in out
    assert "] crash: failed (train crashed)" in out
    (session,) = runs.glob("tune-*")
    rows = json.loads((session / "summary.json").read_text(encoding="utf-8"))["rows"]
    assert [(row["variant"], row["passed"]) for row in rows] == [
        ("baseline", True),
        ("crash", False),
    ]
    assert rows[1]["train_status"] == "crashed" and rows[1]["reasons"]
    assert rows[1]["reasons"][0] in out  # the reason under the variant in the table
