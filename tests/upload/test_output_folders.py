"""The harness's own output folders inside a package (runs/, dist/) are never content."""

from __future__ import annotations

import tarfile
from pathlib import Path

from harness.cli.main import main
from harness.package import content_hash, scan
from harness.upload import PackageConfig, build_package


def _fill_outputs(submission: Path) -> None:
    """What running the harness from inside the package leaves there."""
    (submission / "runs" / "20261126-170000-smoke-0001").mkdir(parents=True)
    (submission / "runs" / "20261126-170000-smoke-0001" / "answer_key.csv").write_text("id,label\n")
    (submission / "dist").mkdir()
    (submission / "dist" / "old.tar.gz").write_bytes(b"\x1f\x8b old")


def test_runs_and_dist_leave_the_hash_unchanged_and_are_listed(submission: Path) -> None:
    before = content_hash(submission)
    _fill_outputs(submission)
    assert content_hash(submission) == before
    contents = scan(submission)
    assert contents.outputs == ["dist/", "runs/"]
    assert contents.junk == []
    assert not any(e.relpath.startswith(("runs/", "dist/")) for e in contents.entries)


def test_only_top_level_output_folders_are_left_out(submission: Path) -> None:
    before = content_hash(submission)
    (submission / "weights" / "runs").mkdir()
    (submission / "weights" / "runs" / "epoch1.bin").write_bytes(b"w")
    assert content_hash(submission) != before
    assert scan(submission).outputs == []


def test_a_runs_folder_of_another_name_is_left_out_when_named(submission: Path) -> None:
    before = content_hash(submission)
    (submission / "my-runs").mkdir()
    (submission / "my-runs" / "report.json").write_text("{}")
    assert content_hash(submission) != before
    assert content_hash(submission, leave_out=(submission / "my-runs",)) == before
    outside = submission.parent / "elsewhere"
    assert content_hash(submission, leave_out=(outside, submission)) != before


def test_tarball_leaves_them_out_and_the_package_command_says_so(
    tmp_path: Path, submission: Path, make_report, capsys
) -> None:
    _fill_outputs(submission)
    runs = submission / "runs"
    make_report(runs, "20261126-170000-online-0002", content_hash(submission))
    out = submission / "dist"
    code = main(
        ["package", "--submission", str(submission), "--runs", str(runs), "--out", str(out)]
    )
    assert code == 0
    said = capsys.readouterr().out
    assert "left out the harness's output folders: dist/, runs/" in said
    tarballs = sorted(out.glob("tiny-entry-*.tar.gz"))
    assert len(tarballs) == 1
    with tarfile.open(tarballs[0]) as tar:
        names = tar.getnames()
    assert "submission.toml" in names
    assert not any(name.split("/")[0] in ("runs", "dist") for name in names)
    # packaging again, with the first tarball now in dist/, gives the same bytes
    first = tarballs[0].read_bytes()
    config = PackageConfig(submission=submission, out_dir=out, runs_dir=runs)
    assert build_package(config).tarball.read_bytes() == first
