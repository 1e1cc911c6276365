"""Hold-out reserve, the stratified seeded split, and what lands in the stage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.data.demo import make_image_set
from harness.data.holdout import reserve_size, split_holdout
from harness.data.scan import scan_dataset
from harness.data.staging import SplitRequest, allocate, plan_split, stage_split
from harness.errors import UserError
from harness.settings.run_layout import RunLayout


@pytest.fixture(scope="module")
def holdout(three_class_set: Path):
    return split_holdout(scan_dataset(three_class_set), 0.1, 2019)


def test_reserve_is_fixed_disjoint_and_a_tenth_of_each_class(holdout, three_class_set) -> None:
    again = split_holdout(scan_dataset(three_class_set), 0.1, 2019)
    assert again.reserve == holdout.reserve
    for label in holdout.reserve:
        assert len(holdout.reserve[label]) == 6 and len(holdout.pool[label]) == 54
        assert not set(holdout.reserve[label]) & set(holdout.pool[label])
    other_seed = split_holdout(scan_dataset(three_class_set), 0.1, 7)
    assert other_seed.reserve != holdout.reserve


def test_reserve_does_not_depend_on_what_a_profile_asks(holdout) -> None:
    """Every profile's test images come from one reserve; pretrain trains on the pool."""
    reserve = {path for files in holdout.reserve.values() for path in files}
    for train, test in ((36, 18), (100, 9), ("all", "all")):
        plan = plan_split(holdout, SplitRequest(train, test, seed=3))
        tested = {path for files in plan.test.values() for path in files}
        trained = {path for files in plan.train.values() for path in files}
        assert tested <= reserve and not trained & reserve


def test_adding_an_image_moves_at_most_one_reserved_image(tmp_path: Path) -> None:
    root = make_image_set(tmp_path / "set", ["a", "b"], 30, size=16)
    before = split_holdout(scan_dataset(root), 0.1, 2019).reserve["a"]
    (root / "a" / "zz_new.jpg").write_bytes((root / "a" / "a_0000.jpg").read_bytes())
    after = split_holdout(scan_dataset(root), 0.1, 2019).reserve["a"]
    assert len(set(before) - set(after)) <= 1


def test_copies_of_reserve_images_are_left_out_of_the_pool(tmp_path: Path) -> None:
    """The same bytes under another name (TrashNet has such pairs) must not reach training."""
    root = make_image_set(tmp_path / "set", ["a", "b"], 20, size=16)
    reserved = split_holdout(scan_dataset(root), 0.1, 2019).reserve["a"][0]
    copy = root / "b" / "copy_of_reserved.jpg"
    copy.write_bytes(reserved.read_bytes())
    holdout = split_holdout(scan_dataset(root), 0.1, 2019)
    assert copy not in holdout.reserve["b"]  # with this seed the copy ranks into the pool side
    assert copy not in holdout.pool["b"]
    assert holdout.duplicates_left_out == (copy,)
    assert holdout.summary()["duplicates_left_out"] == 1


def test_reserve_size_keeps_one_for_training() -> None:
    assert [reserve_size(n, 0.1) for n in (0, 1, 2, 5, 10, 403)] == [0, 0, 1, 1, 1, 40]
    assert reserve_size(3, 0.9) == 2


def test_allocate_is_proportional_with_largest_remainder() -> None:
    assert allocate(10, {"a": 50, "b": 30, "c": 20}) == {"a": 5, "b": 3, "c": 2}
    assert allocate(7, {"a": 50, "b": 30, "c": 20}) == {"a": 4, "b": 2, "c": 1}
    assert allocate(5, {"a": 100, "b": 1, "c": 1}, floor=1) == {"a": 3, "b": 1, "c": 1}


def test_split_is_stratified_and_determined_by_the_seed(holdout) -> None:
    plan = plan_split(holdout, SplitRequest(36, 18, seed=1))
    assert {label: len(files) for label, files in plan.train.items()} == dict.fromkeys(
        ("circle", "square", "triangle"), 12
    )
    assert all(len(files) == 6 for files in plan.test.values())
    assert not plan.scaled_down and not plan.warnings
    assert plan_split(holdout, SplitRequest(36, 18, seed=1)).train == plan.train
    assert plan_split(holdout, SplitRequest(36, 18, seed=2)).train != plan.train


def test_asking_too_much_scales_down_proportionally_with_a_warning(holdout) -> None:
    plan = plan_split(holdout, SplitRequest(6000, 600, seed=0))
    assert plan.scaled_down
    assert (plan.train_count, plan.test_count) == (162, 16)  # x0.027: 600 -> 18 reserved
    assert plan.requested == {"train_images": 6000, "test_images": 600}
    assert "Scaled down" in plan.warnings[0] and "6000 train / 600 test" in plan.warnings[0]


def test_asking_too_much_is_refused_when_the_profile_says_so(holdout) -> None:
    with pytest.raises(UserError, match="asks for 6000 train / 600 test images"):
        plan_split(holdout, SplitRequest(6000, 600, seed=0, when_short="refuse"))


def test_below_the_minimum_is_refused_with_what_to_do(holdout) -> None:
    with pytest.raises(UserError, match="too few training images"):
        plan_split(holdout, SplitRequest(5, 18, seed=0, min_train_per_class=2))
    with pytest.raises(UserError, match="too few test images"):
        plan_split(holdout, SplitRequest(36, 3, seed=0, min_test_images=5))


def test_stage_links_train_copies_test_under_opaque_names(holdout, tmp_path: Path) -> None:
    plan = plan_split(holdout, SplitRequest(36, 18, seed=0))
    stage = stage_split(plan, RunLayout(tmp_path), link=True)
    assert len(list(stage.train_dir.rglob("*.jpg"))) == 36
    for label, files in plan.train.items():
        for source in files:
            staged = stage.train_dir / label / source.name
            assert staged.stat().st_ino == source.stat().st_ino
    test_files = sorted(stage.test_dir.iterdir())
    assert len(test_files) == 18 == len(stage.requests) == len(stage.answer_key)
    for image_id, path in stage.requests:
        assert re.fullmatch(r"[0-9a-f]{16}\.jpg", path.name) and path.stem == image_id
        source = stage.sources[image_id]
        assert path.stat().st_ino != source.stat().st_ino  # a copy: no shared inode
        assert path.read_bytes() == source.read_bytes()
        assert stage.answer_key[image_id] == source.parent.name


def test_stage_holds_no_label_outside_the_train_folders(holdout, tmp_path: Path) -> None:
    plan = plan_split(holdout, SplitRequest(36, 18, seed=0))
    stage = stage_split(plan, RunLayout(tmp_path))
    names = [p.relative_to(stage.root).as_posix() for p in stage.root.rglob("*")]
    test_names = [n for n in names if n.startswith("test")]
    assert all(label not in n for n in test_names for label in ("circle", "square", "triangle"))
    assert not [n for n in names if n.endswith((".csv", ".json", ".txt"))]


def test_stage_copies_training_images_when_asked(holdout, tmp_path: Path) -> None:
    plan = plan_split(holdout, SplitRequest(36, 18, seed=0))
    stage = stage_split(plan, RunLayout(tmp_path), link=False)
    pairs = [(stage.train_dir / label / s.name, s) for label, f in plan.train.items() for s in f]
    assert len(pairs) == 36
    assert all(staged.stat().st_ino != source.stat().st_ino for staged, source in pairs)


def test_stage_refuses_a_used_folder(holdout, tmp_path: Path) -> None:
    plan = plan_split(holdout, SplitRequest(36, 18, seed=0))
    RunLayout(tmp_path).stage.mkdir()
    (RunLayout(tmp_path).stage / "old.txt").write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match="not empty"):
        stage_split(plan, RunLayout(tmp_path))
