"""The tarball: deterministic, junk-free, safe, within the size limit."""

from __future__ import annotations

import hashlib
import os
import tarfile
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.package import content_hash
from harness.upload import PackageConfig, build_package


def _build(submission: Path, runs: Path, out: Path, **kw) -> Path:
    config = PackageConfig(submission=submission, out_dir=out, runs_dir=runs, **kw)
    return build_package(config).tarball


def _members(tarball: Path) -> dict[str, tarfile.TarInfo]:
    with tarfile.open(tarball) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_same_content_gives_identical_bytes(
    tmp_path: Path, submission: Path, passed: Path, make_submission
) -> None:
    first = _build(submission, passed, tmp_path / "out1")
    copy = make_submission(tmp_path / "copy")
    os.utime(copy / "train.py", (1, 1))
    (copy / "weights").chmod(0o700)
    second = _build(copy, passed, tmp_path / "out2")
    assert first.name == second.name
    assert first.read_bytes() == second.read_bytes()
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    sidecar = first.with_name(first.name + ".sha256").read_text(encoding="utf-8")
    assert sidecar == f"{digest}  {first.name}\n"


def test_members_are_normalised_and_round_trip(
    tmp_path: Path, submission: Path, make_report
) -> None:
    os.chmod(submission / "train.py", 0o775)
    (submission / "predict.py").chmod(0o600)
    runs = tmp_path / "runs"
    make_report(runs, "20261126-170000-online-0002", content_hash(submission))
    tarball = _build(submission, runs, tmp_path / "out")
    members = _members(tarball)
    assert list(members) == sorted(members)
    assert {m.mtime for m in members.values()} == {0}
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members.values()} == {(0, 0, "", "")}
    assert members["train.py"].mode == 0o755
    assert members["predict.py"].mode == 0o644
    assert members["weights"].isdir()
    with tarfile.open(tarball) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    assert content_hash(tmp_path / "unpacked") == content_hash(submission)


def test_junk_is_left_out_and_listed(tmp_path: Path, submission: Path, passed: Path) -> None:
    (submission / ".DS_Store").write_bytes(b"x")
    (submission / ".idea").mkdir()
    (submission / ".idea" / "workspace.xml").write_text("<x/>", encoding="utf-8")
    (submission / ".ipynb_checkpoints").mkdir()
    (submission / "notes.swp").write_bytes(b"x")
    (submission / "model.bak").write_bytes(b"x")
    result = build_package(
        PackageConfig(submission=submission, out_dir=tmp_path / "out", runs_dir=passed)
    )
    assert result.junk == [".DS_Store", ".idea/", ".ipynb_checkpoints/", "model.bak", "notes.swp"]
    names = set(_members(result.tarball))
    assert names == {
        "predict.py", "requirements.txt", "submission.toml", "train.py", "weights",
        "weights/base.bin",
    }  # fmt: skip


def test_link_inside_is_kept_outside_is_refused(
    tmp_path: Path, submission: Path, make_report
) -> None:
    (submission / "weights" / "latest.bin").symlink_to("base.bin")
    runs = tmp_path / "runs"
    make_report(runs, "20261126-170000-online-0003", content_hash(submission))
    members = _members(_build(submission, runs, tmp_path / "out"))
    assert members["weights/latest.bin"].issym()
    assert members["weights/latest.bin"].linkname == "base.bin"

    secret = tmp_path / "secret.txt"
    secret.write_text("api key", encoding="utf-8")
    (submission / "weights" / "escape.txt").symlink_to("../../secret.txt")
    (submission / "abs").symlink_to(secret)
    with pytest.raises(UserError) as caught:
        _build(submission, runs, tmp_path / "out", force=True)
    assert "weights/escape.txt: a link that points outside the package ('../../secret.txt')" in (
        caught.value.message
    )
    assert "abs: a link that points outside the package" in caught.value.message


def test_fifo_is_refused(tmp_path: Path, submission: Path, passed: Path) -> None:
    os.mkfifo(submission / "pipe")
    with pytest.raises(UserError, match="pipe: not a regular file"):
        _build(submission, passed, tmp_path / "out", force=True)


def test_dotdot_script_in_manifest_is_refused(tmp_path: Path, submission: Path) -> None:
    manifest = submission / "submission.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"train.py"', '"../train.py"'),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=r"'../train.py', a path that climbs out"):
        _build(submission, tmp_path / "runs", tmp_path / "out", force=True)


def test_missing_script_and_manifest_are_refused(tmp_path: Path, submission: Path) -> None:
    (submission / "predict.py").unlink()
    with pytest.raises(UserError, match="runs 'predict.py', which is not in the package"):
        _build(submission, tmp_path / "runs", tmp_path / "out", force=True)
    (submission / "submission.toml").unlink()
    with pytest.raises(UserError, match="no manifest"):
        _build(submission, tmp_path / "runs", tmp_path / "out", force=True)


def test_oversize_names_the_largest_files(tmp_path: Path, submission: Path, passed: Path) -> None:
    (submission / "weights" / "huge.h5").write_bytes(b"\0" * 3 * 1024 * 1024)
    with pytest.raises(UserError) as caught:
        _build(submission, passed, tmp_path / "out", max_size_mb=2, force=True)
    assert "over the limit of 2 MB" in caught.value.message
    assert "largest files: weights/huge.h5 (3.0 MB), weights/base.bin" in caught.value.message
    assert not (tmp_path / "out").exists()


def test_output_inside_the_submission_is_refused(submission: Path, passed: Path) -> None:
    """Except in its output folders (dist/, runs/), which the content leaves out."""
    with pytest.raises(UserError, match="inside the submission folder"):
        _build(submission, passed, submission / "build")
