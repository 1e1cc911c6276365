"""Each command decodes and hashes every image once, however many steps read it.

The counters wrap the two raw reads (Pillow's decode check and the sha256 of a
file's bytes) wherever a harness module holds them, and key each call by
`<class>/<file name>`: a hard link, a copy into tune's view and a staged
training copy of one image all count as that image.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from harness.data.image_reads import (
    copy_image,
    decode_image,
    each_image_once,
    file_sha256,
    image_problem,
    image_sha256,
    learned_so_far,
)
from harness.environments.pretrain import pretrain
from harness.environments.tune import tune
from harness.package.provenance import Provenance, TrainedImage
from harness.run.simulate import simulate
from harness.settings.config import resolve_config


class Reads:
    """How often each image was decoded and hashed, by `<class>/<name>`."""

    def __init__(self) -> None:
        self.decoded: Counter[str] = Counter()
        self.hashed: Counter[str] = Counter()

    def assert_each_image_once(self, data: Path) -> None:
        images = {f"{p.parent.name}/{p.name}" for p in data.rglob("*.jpg")}
        assert set(self.decoded) == images
        assert set(self.hashed) == images
        assert [name for name, count in self.decoded.items() if count > 1] == []
        assert [name for name, count in self.hashed.items() if count > 1] == []


def _counting(raw, counter: Counter[str]):
    def counted(path):
        if Path(path).suffix == ".jpg":
            counter[f"{Path(path).parent.name}/{Path(path).name}"] += 1
        return raw(path)

    return counted


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Reads:
    """Count every raw decode and hash of an image, in whichever harness module calls it."""
    reads = Reads()
    raws = [
        (decode_image, _counting(decode_image, reads.decoded)),
        (file_sha256, _counting(file_sha256, reads.hashed)),
    ]
    for name, module in list(sys.modules.items()):
        if name.startswith("harness"):
            for attribute, value in list(vars(module).items()):
                for raw, counted in raws:
                    if value is raw:
                        monkeypatch.setattr(module, attribute, counted)
    return reads


@pytest.fixture(params=["linked", "copied"])
def staged_as(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Hard links where the file system allows them, or copies everywhere (no os.link)."""
    if request.param == "copied":

        def no_links(source, target):
            raise OSError("hard links switched off by the test")

        monkeypatch.setattr(os, "link", no_links)
    return request.param


def _settings(submission: Path, data: Path, runs: Path) -> dict:
    return {"submission": str(submission), "data": str(data), "runs_dir": str(runs)}


def _with_provenance(toys_dir: Path, data: Path, target: Path) -> Path:
    """The constant toy, pretrained (on paper) on every image of `data`: all of them leak."""
    submission = Path(shutil.copytree(toys_dir / "constant", target))
    images = [TrainedImage(file_sha256(p), p.parent.name, str(p)) for p in data.rglob("*.jpg")]
    Provenance("now", "pretrain-run", "pretrain", str(data), {}, {}, "0" * 64, {}, images).write(
        submission
    )
    return submission


def test_simulate_hashes_a_test_image_once_for_the_holdout_and_the_leakage_check(
    tmp_path, toys_dir, three_class_set, reads
):
    submission = _with_provenance(toys_dir, three_class_set, tmp_path / "toy")
    settings = _settings(submission, three_class_set, tmp_path / "runs")
    result = simulate(resolve_config({**settings, "profile": "smoke", "allow_leakage": True}))
    test_images = result.report["data"]["test_images"]
    assert (
        f"LEAKAGE (allowed with --allow-leakage): {test_images} of the {test_images}"
        in (result.report["warnings"][0])
    )
    reads.assert_each_image_once(three_class_set)


def test_tune_reads_each_image_once_for_its_view(
    ray_here, tmp_path, toys_dir, three_class_set, reads, staged_as
):
    """The counters see this process only; that the workers take the view's answers
    instead of reading again is the Ray test below."""
    submission = _with_provenance(toys_dir, three_class_set, tmp_path / "toy")
    variant = tmp_path / "variant.toml"
    variant.write_text("width = 2\n", encoding="utf-8")
    settings = _settings(submission, three_class_set, tmp_path / "runs")
    result = tune({**settings, "allow_leakage": True}, [variant])
    assert [row.variant for row in result.rows] == ["baseline", "variant"]
    assert all(row.passed for row in result.rows)
    reads.assert_each_image_once(three_class_set)


def test_pretrain_records_the_hashes_its_holdout_computed(
    tmp_path, toys_dir, three_class_set, reads, staged_as
):
    submission = Path(shutil.copytree(toys_dir / "constant", tmp_path / "toy"))
    result = pretrain(_settings(submission, three_class_set, tmp_path / "runs"))
    assert result.provenance is not None
    staged = result.run.layout.stage_train
    assert result.provenance.image_hashes == {
        file_sha256(p) for p in staged.rglob("*.jpg")
    }  # the true hashes of what was staged, read here outside the counters' reach
    reads.assert_each_image_once(three_class_set)


def _image(folder: Path, name: str, colour: str, size: int = 16) -> Path:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    Image.new("RGB", (size, size), colour).save(path)
    return path


def test_nothing_is_remembered_outside_a_block(tmp_path, reads):
    path = _image(tmp_path, "a.jpg", "red")
    image_sha256(path), image_sha256(path), image_problem(path), image_problem(path)
    assert reads.hashed[f"{tmp_path.name}/a.jpg"] == 2
    assert reads.decoded[f"{tmp_path.name}/a.jpg"] == 2


def test_a_block_remembers_by_file_identity_until_it_ends(tmp_path, reads):
    path = _image(tmp_path / "x", "a.jpg", "red")
    link = tmp_path / "y" / "a.jpg"
    link.parent.mkdir()
    os.link(path, link)
    with each_image_once():
        first = image_sha256(path)
        with each_image_once():  # a nested block shares the outer one
            assert image_sha256(link) == first
        assert reads.hashed == Counter({"x/a.jpg": 1})
        _image(tmp_path / "x", "a.jpg", "blue", size=24)  # rewritten: a new file
        assert image_sha256(path) == file_sha256(path) != first
    assert reads.hashed == Counter({"x/a.jpg": 2})
    image_sha256(path)
    assert reads.hashed == Counter({"x/a.jpg": 3})


def test_a_copy_inherits_what_is_known_of_its_source_until_it_changes(tmp_path, reads):
    source = _image(tmp_path / "x", "a.jpg", "red")
    copy = tmp_path / "y" / "a.jpg"
    copy.parent.mkdir()
    with each_image_once():
        known = image_sha256(source), image_problem(source)
        copy_image(source, copy)
        assert (image_sha256(copy), image_problem(copy)) == known
        assert reads.hashed == Counter({"x/a.jpg": 1})
        assert reads.decoded == Counter({"x/a.jpg": 1})
        copy.write_bytes(b"not an image any more")
        assert image_sha256(copy) == file_sha256(copy) != known[0]
        assert image_problem(copy) is not None


def test_an_answer_read_while_the_file_was_replaced_is_not_kept(tmp_path, monkeypatch):
    """The name is checked, then replaced before it is read: what was read is the new file,
    so it must not be remembered for the old one, which a hard link still holds."""
    path = _image(tmp_path / "x", "a.jpg", "red")
    link = tmp_path / "y" / "a.jpg"
    link.parent.mkdir()
    os.link(path, link)

    def replaced_then_hashed(target: Path) -> str:
        if Path(target) == path and not (tmp_path / "new").exists():
            os.replace(_image(tmp_path / "new", "a.jpg", "blue"), path)
        return file_sha256(target)

    monkeypatch.setattr("harness.data.image_reads.file_sha256", replaced_then_hashed)
    with each_image_once():
        assert image_sha256(path) == file_sha256(path)
        assert image_sha256(link) == file_sha256(link) != file_sha256(path)


def test_a_block_started_from_known_answers_reads_none_of_those_files_again(tmp_path, reads):
    path = _image(tmp_path / "x", "a.jpg", "red")
    with each_image_once():
        image_sha256(path), image_problem(path)
        known = learned_so_far()
    with each_image_once(known):
        image_sha256(path), image_problem(path)
    assert reads.hashed == Counter({"x/a.jpg": 1})
    assert reads.decoded == Counter({"x/a.jpg": 1})
    _image(tmp_path / "x", "a.jpg", "blue", size=24)  # rewritten: the known answer is not its
    with each_image_once(known):
        assert image_sha256(path) == file_sha256(path)
    assert reads.hashed == Counter({"x/a.jpg": 2})


def test_a_ray_worker_answers_from_the_drivers_reads(ray_here, tmp_path):
    """What tune hands its variants' workers: an answer learned here is not read there.

    The driver's answer is replaced by a marker, so only a worker that took it
    from the handed facts can return it.
    """
    path = _image(tmp_path, "a.jpg", "red")
    with each_image_once():
        image_sha256(path)
        known = {key: "marker" for key in learned_so_far()}

    @ray_here.remote
    def hash_in_worker(known_images):
        from harness.data.image_reads import each_image_once, image_sha256

        with each_image_once(known_images):
            return image_sha256(path)

    assert ray_here.get(hash_in_worker.remote(known)) == "marker"
    assert ray_here.get(hash_in_worker.remote({})) == file_sha256(path)
