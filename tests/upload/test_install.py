"""Installing pretrained weights: provenance written, the old copy kept, nothing else touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.data.demo import make_image_set
from harness.errors import UserError
from harness.package import content_hash
from harness.package.provenance import (
    Provenance,
    install_pretrained,
    load_provenance,
    staged_images,
    weights_inventory,
)


def _provenance(images) -> Provenance:
    return Provenance(
        created="2026-11-26T17:00:00+00:00",
        run_id="20261126-170000-pretrain-0001",
        profile="pretrain",
        data_dir="data",
        holdout={"fraction": 0.1, "seed": 2019},
        config={},
        submission_content_sha256="0" * 64,
        starting_weights={"base.bin": "0" * 64},
        images=images,
    )


def test_install_writes_weights_and_provenance_and_keeps_the_old(
    tmp_path: Path, submission: Path
) -> None:
    train = make_image_set(tmp_path / "stage" / "train", ["a", "b"], per_class=3, size=32)
    images = staged_images(train)
    assert [i.path for i in images] == [f"{c}/{c}_000{n}.jpg" for c in "ab" for n in range(3)]
    model = tmp_path / "model"
    model.mkdir()
    (model / "centroids.json").write_text("{}", encoding="utf-8")
    before = weights_inventory(submission)
    assert before == {"base.bin": weights_inventory(submission)["base.bin"]}

    first = install_pretrained(model, submission, _provenance(images), tmp_path / "run1")
    assert first.replaced_to is None and first.files == 1
    assert (submission / "weights" / "pretrained" / "centroids.json").read_text() == "{}"
    loaded = load_provenance(submission)
    assert loaded is not None and loaded.image_hashes == {i.sha256 for i in images}
    assert weights_inventory(submission)["base.bin"] == before["base.bin"]

    (model / "centroids.json").write_text('{"v": 2}', encoding="utf-8")
    hash_before = content_hash(submission)
    second = install_pretrained(model, submission, _provenance(images[:2]), tmp_path / "run2")
    assert second.replaced_to == tmp_path / "run2" / "replaced_pretrained"
    assert json.loads((second.replaced_to / "centroids.json").read_text()) == {}
    assert (second.replaced_to / "provenance.json").is_file()
    assert content_hash(submission) != hash_before
    assert sorted(p.name for p in submission.iterdir()) == [
        "predict.py", "requirements.txt", "submission.toml", "train.py", "weights",
    ]  # fmt: skip


def test_empty_export_is_refused(tmp_path: Path, submission: Path) -> None:
    (tmp_path / "model").mkdir()
    with pytest.raises(UserError, match="exported nothing"):
        install_pretrained(tmp_path / "model", submission, _provenance([]), tmp_path / "run")
    assert not (submission / "weights" / "pretrained").exists()
