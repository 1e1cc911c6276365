"""The content hash covers exactly what would be packaged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.package import content_hash, scan


def test_hash_is_stable_and_ignores_junk(submission: Path) -> None:
    before = content_hash(submission)
    (submission / ".DS_Store").write_bytes(b"finder")
    (submission / "__pycache__").mkdir()
    (submission / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")
    (submission / "train.py~").write_text("old", encoding="utf-8")
    (submission / ".git").mkdir()
    (submission / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    assert content_hash(submission) == before
    junk = scan(submission).junk
    assert junk == [".DS_Store", ".git/", "__pycache__/", "train.py~"]


def test_hash_changes_with_bytes_names_and_exec_bit(submission: Path) -> None:
    seen = {content_hash(submission)}
    (submission / "train.py").write_text("print('train!')\n", encoding="utf-8")
    seen.add(content_hash(submission))
    (submission / "train.py").rename(submission / "fit.py")
    seen.add(content_hash(submission))
    os.chmod(submission / "fit.py", 0o755)
    seen.add(content_hash(submission))
    assert len(seen) == 4


def test_hash_does_not_depend_on_location_or_mtime(
    tmp_path: Path, submission: Path, make_submission
) -> None:
    other = make_submission(tmp_path / "elsewhere" / "copy")
    os.utime(other / "train.py", (0, 0))
    assert content_hash(other) == content_hash(submission)


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="submission folder not found"):
        content_hash(tmp_path / "nowhere")
