"""The leakage guard: test images the pretrained weights have seen are found by content."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.data.demo import make_image_set
from harness.errors import UserError
from harness.package.provenance import (
    PROVENANCE_FILE,
    Provenance,
    TrainedImage,
    check_leakage,
    file_sha256,
)


def _pretrained_on(submission: Path, images: list[Path]) -> None:
    Provenance(
        created=datetime.now(UTC).isoformat(),
        run_id="20261126-170000-pretrain-0001",
        profile="pretrain",
        data_dir="data",
        holdout={"seed": 0},
        config={},
        submission_content_sha256="0" * 64,
        starting_weights={},
        images=[TrainedImage(file_sha256(p), p.parent.name, p.name) for p in images],
    ).write(submission)


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    root = make_image_set(tmp_path / "data", ["a", "b"], per_class=4, size=32)
    return sorted(root.rglob("*.jpg"))


def test_no_provenance_means_no_overlap(submission: Path, images: list[Path]) -> None:
    result = check_leakage(submission, images)
    assert result.overlapping == 0
    assert "no weights/pretrained/provenance.json" in result.message


def test_clean_split_stays_quiet(submission: Path, images: list[Path]) -> None:
    _pretrained_on(submission, images[:4])
    result = check_leakage(submission, images[4:])
    assert result.overlapping == 0
    assert "none of the 4 test images" in result.message


def test_overlap_fires_even_under_another_name(
    tmp_path: Path, submission: Path, images: list[Path]
) -> None:
    _pretrained_on(submission, images[:6])
    renamed = tmp_path / "test" / "3f2a.jpg"
    renamed.parent.mkdir()
    shutil.copyfile(images[0], renamed)
    result = check_leakage(submission, [renamed, images[5], images[7]])
    assert result.overlapping == 2
    assert f"e.g. 3f2a.jpg, {images[5].name};" in result.message
    assert str(submission / PROVENANCE_FILE) in result.message
    assert "inflated" in result.message


def test_unreadable_provenance_is_a_user_error(submission: Path, images: list[Path]) -> None:
    path = submission / PROVENANCE_FILE
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="cannot be read"):
        check_leakage(submission, images)
