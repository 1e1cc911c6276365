"""`package --layout contest`, unpacked, runs under `simulate`: the archive is what the
platform got, so it must rehearse as the folder did."""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

from harness.cli.main import main
from harness.package import content_hash


def _contest_archive(capsys, package: Path, data: Path, out: Path) -> Path:
    """The contest-layout tarball, --force: the gate's online pass is tested elsewhere."""
    args = ["--submission", str(package), "--runs", str(out / "runs"), "--out", str(out)]
    assert main(["package", *args, "--layout", "contest", "--data", str(data), "--force"]) == 0
    capsys.readouterr()
    (tarball,) = out.glob("*-contest.tar.gz")
    return tarball


def _unpacked(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="data")
    return into


def _simulate(capsys, submission: Path, data: Path, runs: Path) -> tuple[int, dict | None, str]:
    args = ["--submission", str(submission), "--data", str(data), "--profile", "smoke"]
    code = main(["simulate", "--runs-dir", str(runs), *args, "--runner", "process"])
    captured = capsys.readouterr()
    reports = list(runs.glob("*/report.json"))
    report = json.loads(reports[0].read_text(encoding="utf-8")) if reports else None
    return code, report, captured.out + captured.err


def test_a_contest_package_round_trips(capsys, tmp_path: Path, toys_dir, three_class_set):
    """A folder in the contest's layout keeps its paths; unpacked, it trains and is served."""
    package = tmp_path / "upload"
    shutil.copytree(toys_dir / "contest_savedmodel", package)
    (package / "submission.toml").unlink()  # as the platform got it: no manifest
    tarball = _contest_archive(capsys, package, three_class_set, tmp_path / "dist")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert {"requirements.txt", "python_package/model.py", "python_package/serve.toml"} <= names
    assert "python_package/class_index.txt" in names
    unpacked = _unpacked(tarball, tmp_path / "unpacked")
    unpacked_hash = content_hash(unpacked)
    code, report, said = _simulate(capsys, unpacked, three_class_set, tmp_path / "runs")
    assert code == 0, said
    # The run rehearsed exactly the tarball's content, and packaging that folder again gives
    # the same upload, byte for byte: nothing the harness derived or wrote changed it.
    assert report["submission"]["content_sha256"] == unpacked_hash == content_hash(unpacked)
    again = _contest_archive(capsys, unpacked, three_class_set, tmp_path / "again")
    assert again.read_bytes() == tarball.read_bytes()
    assert report["submission"]["derived_manifest"]["train"]["command"] == [
        "python",
        "python_package/model.py",
    ]
    assert report["phases"]["predict"]["status"] == "ok"
    assert report["score"]["accuracy"] >= 80


def test_a_manifest_package_round_trips_from_its_python_package(
    capsys, tmp_path: Path, toys_dir, three_class_set
):
    """Any other folder goes into python_package/ whole; unpacked, the harness says where its
    manifest is, and it runs from there."""
    tarball = _contest_archive(capsys, toys_dir / "centroid", three_class_set, tmp_path / "dist")
    unpacked = _unpacked(tarball, tmp_path / "unpacked")
    assert (unpacked / "python_package" / "submission.toml").is_file()
    code, report, said = _simulate(capsys, unpacked, three_class_set, tmp_path / "refused")
    assert code == 2 and report is None
    assert "a contest-layout archive of a package with a manifest" in said
    assert f"pass --submission {unpacked.resolve() / 'python_package'}" in said
    inner = unpacked / "python_package"
    code, report, said = _simulate(capsys, inner, three_class_set, tmp_path / "runs")
    assert code == 0, said
    assert report["score"]["accuracy"] >= 80
