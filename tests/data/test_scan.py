"""Scanning a data set: labels from folders, broken images skipped and listed, the cost table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.data.demo import make_image_set
from harness.data.scan import read_error_types, scan_dataset
from harness.errors import UserError


@pytest.fixture
def messy_set(tmp_path: Path) -> Path:
    """Two good classes, one truncated JPEG, one not-a-JPEG, notes, hidden files, an empty class."""
    root = make_image_set(tmp_path / "set", ["cat", "dog"], 4, size=32)
    good = (root / "cat" / "cat_0000.jpg").read_bytes()
    (root / "cat" / "broken.jpg").write_bytes(good[: len(good) // 2])
    (root / "dog" / "text.png").write_text("not an image", encoding="utf-8")
    (root / "dog" / "notes.txt").write_text("ignored", encoding="utf-8")
    (root / "dog" / ".DS_Store").write_bytes(b"\0\0")
    (root / ".hidden_class").mkdir()
    (root / "empty").mkdir()
    (root / "README.md").write_text("about this set", encoding="utf-8")
    return root


def test_classes_are_sorted_folder_names_and_files_are_counted(three_class_set: Path) -> None:
    dataset = scan_dataset(three_class_set)
    assert dataset.classes == ["circle", "square", "triangle"]
    assert dataset.image_count == 180 and not dataset.skipped and not dataset.warnings
    assert dataset.error_types is None


def test_unreadable_images_are_skipped_and_listed_others_ignored(messy_set: Path) -> None:
    dataset = scan_dataset(messy_set)
    assert dataset.classes == ["cat", "dog"]
    assert [len(dataset.images[c]) for c in dataset.classes] == [4, 4]
    skipped = {s.path: s.reason for s in dataset.skipped}
    assert set(skipped) == {"cat/broken.jpg", "dog/text.png"}
    assert all(reason.startswith("not a readable image") for reason in skipped.values())
    assert any("'empty'" in warning and "dropped" in warning for warning in dataset.warnings)
    assert any("2 unreadable" in warning for warning in dataset.warnings)


def test_chinese_class_names_are_labels(chinese_set: Path) -> None:
    dataset = scan_dataset(chinese_set)
    assert "充电器" in dataset.classes and len(dataset.classes) == 10
    assert dataset.classes == sorted(dataset.classes)


def test_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist"):
        scan_dataset(tmp_path / "nope")


def test_folder_of_sets_gets_a_hint_naming_a_set(tmp_path: Path) -> None:
    make_image_set(tmp_path / "local_data" / "mine", ["a", "b"], 2, size=16)
    with pytest.raises(UserError) as caught:
        scan_dataset(tmp_path / "local_data")
    assert "holds no readable images" in str(caught.value)
    assert "--data" in str(caught.value) and "mine" in str(caught.value)


def test_a_single_class_is_refused(tmp_path: Path) -> None:
    make_image_set(tmp_path / "one", ["only"], 3, size=16)
    with pytest.raises(UserError, match="only one class"):
        scan_dataset(tmp_path / "one")


def test_error_type_table_is_read_beside_the_classes(tmp_path: Path) -> None:
    root = make_image_set(tmp_path / "set", ["充电器", "充电线", "拖把"], 2, size=16)
    (root / "error_types.csv").write_text(
        "true,predicted,weight\n充电器,充电线,0.1\n充电线,充电器,0.1\n\n拖把,充电线,1\n",
        encoding="utf-8",
    )
    dataset = scan_dataset(root)
    assert dataset.error_types == {
        ("充电器", "充电线"): 0.1,
        ("充电线", "充电器"): 0.1,
        ("拖把", "充电线"): 1.0,
    }
    assert dataset.error_types_path == root / "error_types.csv"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("true,pred,weight\n", "header"),
        ("true,predicted,weight\na,zebra,0.1\n", "line 2: 'zebra' is not a class"),
        ("true,predicted,weight\na,b,x\n", "line 2: weight must be a number"),
        ("true,predicted,weight\na,b,-1\n", "0 or more"),
        ("true,predicted,weight\na,a,0.5\n", "costs 0"),
        ("true,predicted,weight\na,b,0.1\na,b,0.2\n", "line 3: the pair a -> b is listed twice"),
        ("true,predicted,weight\na,b\n", "expected 3 fields"),
    ],
)
def test_bad_error_type_rows_are_named(tmp_path: Path, body: str, expected: str) -> None:
    table = tmp_path / "error_types.csv"
    table.write_text(body, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_error_types(table, ["a", "b"])
    assert str(table) in str(caught.value) and expected in str(caught.value)


def test_scanning_never_touches_the_users_files(messy_set: Path, tmp_path: Path) -> None:
    before = shutil.copytree(messy_set, tmp_path / "before")
    scan_dataset(messy_set)
    for path in before.rglob("*"):
        twin = messy_set / path.relative_to(before)
        assert twin.exists()
        if path.is_file():
            assert twin.read_bytes() == path.read_bytes()
