"""Pretrain installs weights with provenance; the next simulation starts from them, guarded."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.main import main
from harness.data.holdout import split_holdout
from harness.data.image_reads import file_sha256
from harness.data.scan import scan_dataset
from harness.package import content_hash
from harness.package.provenance import load_provenance
from harness.settings.config import resolve_config
from harness.settings.run_layout import RunLayout


def _pool_and_reserve(data: Path, seed: int = 2019) -> tuple[set[str], set[str]]:
    config = resolve_config({"profile": "pretrain", "submission": ".", "data": str(data)})
    holdout = split_holdout(scan_dataset(data), config.holdout_fraction, seed)
    pool = {file_sha256(p) for files in holdout.pool.values() for p in files}
    reserve = {file_sha256(p) for files in holdout.reserve.values() for p in files}
    return pool, reserve


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): file_sha256(p) for p in root.rglob("*") if p.is_file()}


def _simulate(toy: Path, data: Path, runs: Path, *extra: str) -> int:
    return main(
        ["simulate", "--profile", "smoke", "--submission", str(toy), "--data", str(data)]
        + ["--runs-dir", str(runs), *extra]
    )


def _newest_report(runs: Path) -> dict:
    path = sorted(runs.glob("*-smoke-*/report.json"))[-1]
    return json.loads(path.read_text(encoding="utf-8"))


def test_pretrain_then_simulate_starts_from_pretrained(
    tmp_path: Path, data: Path, toy: Path, capsys
) -> None:
    runs = tmp_path / "runs"
    before = _files(toy)
    content_before = content_hash(toy)
    args = ["pretrain", "--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "nothing was replaced" in out
    after = _files(toy)
    assert {k: v for k, v in after.items() if not k.startswith("weights/pretrained/")} == before

    pretrained = toy / "weights" / "pretrained"
    assert sorted(p.name for p in pretrained.iterdir()) == ["model.json", "provenance.json"]
    provenance = load_provenance(toy)
    pool, reserve = _pool_and_reserve(data)
    assert provenance is not None and provenance.profile == "pretrain"
    assert provenance.image_hashes == pool
    assert not provenance.image_hashes & reserve
    assert provenance.starting_weights == {}
    assert provenance.submission_content_sha256 == content_before
    assert provenance.holdout["seed"] == 2019
    assert provenance.config["train_images"] == "all"

    assert _simulate(toy, data, runs) == 0
    report = _newest_report(runs)
    assert not [w for w in report["warnings"] if "LEAKAGE" in w]
    model = RunLayout(runs / report["run_id"]).model
    exported = json.loads((model / "model.json").read_text(encoding="utf-8"))
    assert exported["start"] == {"started_from": "pretrained", "pretrained_images": len(pool)}

    assert main(args) == 0
    assert "the previous weights/pretrained/ was moved to" in capsys.readouterr().out
    second = load_provenance(toy)
    assert second is not None and set(second.starting_weights) == {
        "pretrained/model.json",
        "pretrained/provenance.json",
    }


def test_leakage_guard_fires_on_an_overlapping_split(
    tmp_path: Path, data: Path, toy: Path, capsys
) -> None:
    runs = tmp_path / "runs"
    pretrain = ["pretrain", "--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main(pretrain) == 0
    capsys.readouterr()

    other_reserve = ["--set", "holdout_seed=7"]
    assert _simulate(toy, data, runs, *other_reserve) == 2
    err = capsys.readouterr().err
    assert "test images are among the images the pretrained weights were trained on" in err
    assert "--allow-leakage" in err

    assert _simulate(toy, data, runs, *other_reserve, "--allow-leakage") == 0
    report = _newest_report(runs)
    assert any(w.startswith("LEAKAGE") for w in report["warnings"])


def test_failed_pretraining_installs_nothing(tmp_path: Path, data: Path, toy: Path, capsys):
    (toy / "train.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    runs = tmp_path / "runs"
    args = ["pretrain", "--submission", str(toy), "--data", str(data), "--runs-dir", str(runs)]
    assert main(args) == 1
    assert "nothing was installed" in capsys.readouterr().out
    assert not (toy / "weights").exists()
