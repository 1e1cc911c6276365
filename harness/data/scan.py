"""A data set on disk: `<set>/<class>/<image>`, checked before anything is staged.

Every image is decoded once (at reduced size, which is fast) so a broken file
is skipped and listed in the report instead of crashing a submission an hour
into training. Non-image files and hidden files are ignored. Inside an
`each_image_once()` block (harness/data/image_reads.py) the later steps of the same
command reuse that decode check instead of reading the file again.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from harness.data.image_reads import image_problem
from harness.errors import UserError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
ERROR_TYPES_FILE = "error_types.csv"
ERROR_TYPES_HEADER = ["true", "predicted", "weight"]


@dataclass(frozen=True)
class SkippedFile:
    """An image file that could not be decoded, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass
class Dataset:
    """The readable images of a set, by class (classes and files in sorted order)."""

    root: Path
    images: dict[str, list[Path]]
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_types: dict[tuple[str, str], float] | None = None
    error_types_path: Path | None = None

    @property
    def classes(self) -> list[str]:
        return list(self.images)

    @property
    def image_count(self) -> int:
        return sum(len(files) for files in self.images.values())


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")


def _class_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        raise UserError(
            f"data folder {root} does not exist or is not a folder.",
            hint="pass --data local_data/<set>, a folder holding one sub-folder per class.",
        )
    folders = [p for p in root.iterdir() if p.is_dir() and _visible(p)]
    folders.sort(key=lambda p: p.name)
    if not folders:
        raise UserError(
            f"data folder {root} has no class folders.",
            hint="lay images out as <set>/<class>/<image>.jpg; folder names are the labels.",
        )
    return folders


def _not_a_set_hint(root: Path, folders: list[Path]) -> str:
    nested = [f.name for f in folders if any(c.is_dir() and _visible(c) for c in f.iterdir())]
    if nested:
        return (
            f"{root} looks like a folder of data sets ({', '.join(nested[:5])}); "
            f"pass one of them, e.g. --data {root / nested[0]}"
        )
    return "each class folder must hold image files (.jpg, .png, ...)."


def _shown(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _refuse_names_not_utf8(root: Path, folders: list[Path]) -> None:
    """Labels and file names reach reports, CSVs and the phases as text: bytes that are not
    UTF-8 cannot be written there, so such names are refused before anything runs."""
    bad = [f for f in folders if not _utf8(f.name)]
    bad += [p for f in folders if _utf8(f.name) for p in f.iterdir() if not _utf8(p.name)]
    if bad:
        listed = "\n    ".join(_shown(path.relative_to(root)) for path in bad[:10])
        raise UserError(
            f"data folder {root}: {len(bad)} name(s) not UTF-8:\n    {listed}",
            hint="rename them (e.g. convmv -f latin1 -t utf-8 -r --notest DIR).",
        )


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def scan_dataset(root: Path) -> Dataset:
    """Scan `root`; skip and list unreadable images; refuse a set with no images at all."""
    root = Path(root).resolve()
    folders = _class_folders(root)
    _refuse_names_not_utf8(root, folders)
    dataset = Dataset(root=root, images={})
    for folder in folders:
        files = sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and _visible(p) and p.suffix.lower() in IMAGE_SUFFIXES
        )
        readable = []
        for path in files:
            problem = image_problem(path)
            if problem is None:
                readable.append(path)
            else:
                dataset.skipped.append(SkippedFile(str(path.relative_to(root)), problem))
        if readable:
            dataset.images[folder.name] = readable
        else:
            dataset.warnings.append(f"Class folder '{folder.name}' has no readable image; dropped.")
    if dataset.skipped:
        dataset.warnings.append(
            f"{len(dataset.skipped)} unreadable image file(s) skipped (listed in the report)."
        )
    if not dataset.images:
        hint = _not_a_set_hint(root, folders)
        raise UserError(f"data folder {root} holds no readable images.", hint)
    if len(dataset.images) < 2:
        raise UserError(
            f"data folder {root} has only one class with images ({dataset.classes[0]}).",
            hint="a classifier needs at least two class folders.",
        )
    table_path = root / ERROR_TYPES_FILE
    if table_path.is_file():
        dataset.error_types = read_error_types(table_path, dataset.classes)
        dataset.error_types_path = table_path
    return dataset


def read_error_types(path: Path, classes: list[str]) -> dict[tuple[str, str], float]:
    """The cost table `true,predicted,weight`; a UserError naming the row that is wrong."""
    known = set(classes)
    table: dict[tuple[str, str], float] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or [cell.strip() for cell in rows[0]] != ERROR_TYPES_HEADER:
        raise UserError(f"{path}: the first line must be the header true,predicted,weight.")
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path} line {number}"
        if len(row) != 3:
            raise UserError(f"{where}: expected 3 fields true,predicted,weight, got {len(row)}.")
        true, predicted, weight_text = (cell.strip() for cell in row)
        for name in (true, predicted):
            if name not in known:
                raise UserError(
                    f"{where}: '{name}' is not a class of this data set.",
                    hint=f"classes: {', '.join(classes)}",
                )
        if true == predicted:
            raise UserError(f"{where}: a correct answer costs 0; list only mistakes.")
        try:
            weight = float(weight_text)
        except ValueError:
            raise UserError(f"{where}: weight must be a number, got {weight_text!r}.") from None
        if weight < 0:
            raise UserError(f"{where}: weight must be 0 or more, got {weight}.")
        if (true, predicted) in table:
            raise UserError(f"{where}: the pair {true} -> {predicted} is listed twice.")
        table[(true, predicted)] = weight
    return table
