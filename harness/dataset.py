"""A data set on disk: `<set>/<class>/<image>`, checked before anything is staged.

Every image is decoded once (at reduced size, which is fast) so a broken file
is skipped and listed in the report instead of crashing a submission an hour
into training. Non-image files and hidden files are ignored.

One command reads the same images several times over: the scan, the hold-out
(content hashes), the leakage check, and `tune` once more per variant on a
hard-linked view. Inside `each_image_once()` an image file's decode check and
content hash are computed once and then remembered, by file identity.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from PIL import Image

from harness.errors import UserError
from harness.provenance import file_sha256

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


FileKey = tuple[int, int, int, int]
Fact = TypeVar("Fact")
_DECODE, _SHA256 = "decode", "sha256"
_learned: ContextVar[dict[tuple[str, FileKey], object] | None] = ContextVar(
    "onlinesim_learned_images", default=None
)


@contextmanager
def each_image_once() -> Iterator[None]:
    """Within the block, decode-check and hash each image file at most once.

    Answers are kept by file identity (device, inode, size, mtime): a hard link
    is the same file, a file changed since is a new one. A nested block shares
    the outer one; outside any block nothing is kept, so no answer outlives the
    command that learned it.
    """
    if _learned.get() is not None:
        yield
        return
    token = _learned.set({})
    try:
        yield
    finally:
        _learned.reset(token)


def _file_key(path: Path) -> FileKey:
    status = os.stat(path)
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _once(kind: str, path: Path, compute: Callable[[Path], Fact]) -> Fact:
    learned = _learned.get()
    if learned is None:
        return compute(path)
    try:
        key = (kind, _file_key(path))
    except OSError:  # gone or unreadable: let `compute` say so in its own words
        return compute(path)
    if key not in learned:
        learned[key] = compute(path)
    return cast(Fact, learned[key])


def image_problem(path: Path) -> str | None:
    """None when Pillow can decode the file, else the reason (once per file in a block)."""
    return _once(_DECODE, path, decode_problem)


def image_sha256(path: Path) -> str:
    """The file's content hash (once per file in an `each_image_once` block)."""
    return _once(_SHA256, path, file_sha256)


def copy_image(source: Path, target: Path) -> None:
    """Copy an image; inside a block the copy inherits what is known of the source."""
    learned = _learned.get()
    source_key = _file_key(source) if learned is not None else None
    shutil.copyfile(source, target)
    if learned is None or _file_key(source) != source_key:  # none, or changed while copied
        return
    target_key = _file_key(target)
    for kind in (_DECODE, _SHA256):
        if (kind, source_key) in learned:
            learned[(kind, target_key)] = learned[(kind, source_key)]


def decode_problem(path: Path) -> str | None:
    """None when Pillow can decode the file, else the reason in a few words."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", (32, 32))
            image.load()
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        return f"not a readable image ({error})"
    return None


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


def scan_dataset(root: Path) -> Dataset:
    """Scan `root`; skip and list unreadable images; refuse a set with no images at all."""
    root = Path(root).resolve()
    folders = _class_folders(root)
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
