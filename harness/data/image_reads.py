"""The two reads the harness makes of an image file, each done once per command.

One command reads the same images several times over: the scan (decode
check), the hold-out (content hashes), the leakage check, `pretrain`'s
provenance, and `tune` once more per variant on a hard-linked view. On a real
data set those repeats cost more than the work itself, so inside
`each_image_once()` a file's decode check and content hash are computed once
and then remembered, by file identity. Outside a block every call reads the
file: nothing learned outlives the command that learned it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from PIL import Image

FileKey = tuple[int, int, int, int]
Fact = TypeVar("Fact")
_DECODE, _SHA256 = "decode", "sha256"
_learned: ContextVar[dict[tuple[str, FileKey], object] | None] = ContextVar(
    "onlinesim_learned_images", default=None
)


Learned = Mapping[tuple[str, FileKey], object]


@contextmanager
def each_image_once(known: Learned | None = None) -> Iterator[None]:
    """Within the block, decode-check and hash each image file at most once.

    Answers are kept by file identity (device, inode, size, mtime): a hard link
    is the same file, a file changed since is a new one, and an answer read
    while the file changed is not kept. ctime is left out on purpose: linking a
    file (staging does) changes it. A rewrite to the same size within one tick
    of the file system's clock goes unseen; nothing in a command rewrites the
    images it reads. A nested block shares the outer one; outside any block
    nothing is kept, so no answer outlives the command that learned it.
    `known` (another process's `learned_so_far()` in the same command, e.g. a
    Ray worker's) starts the block: a file with the same identity is the same
    file, and on another machine the identities differ, so nothing is reused.
    """
    outer = _learned.get()
    if outer is not None:
        outer.update(known or {})
        yield
        return
    token = _learned.set(dict(known or {}))
    try:
        yield
    finally:
        _learned.reset(token)


def learned_so_far() -> dict[tuple[str, FileKey], object]:
    """A copy of what the current block knows (empty outside one), to hand to a worker."""
    return dict(_learned.get() or {})


def _file_key(path: Path) -> FileKey:
    status = os.stat(path)
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns)


def _once(kind: str, path: Path, compute: Callable[[Path], Fact]) -> Fact:
    learned = _learned.get()
    if learned is None:
        return compute(path)
    try:
        file_key = _file_key(path)
    except OSError:  # gone or unreadable: let `compute` say so in its own words
        return compute(path)
    if (kind, file_key) in learned:
        return cast(Fact, learned[(kind, file_key)])
    fact = compute(path)
    if _unchanged(path, file_key):  # else it changed while read: the answer may be of neither
        learned[(kind, file_key)] = fact
    return fact


def _unchanged(path: Path, key: FileKey) -> bool:
    try:
        return _file_key(path) == key
    except OSError:
        return False


def image_problem(path: Path) -> str | None:
    """None when Pillow can decode the file, else the reason (once per file in a block)."""
    return _once(_DECODE, path, decode_image).problem


def image_dhash(path: Path) -> int | None:
    """The image's 64-bit difference hash, None if unreadable (from the same single decode)."""
    return _once(_DECODE, path, decode_image).dhash


def image_sha256(path: Path) -> str:
    """The file's content hash (once per file in an `each_image_once` block)."""
    return _once(_SHA256, path, file_sha256)


def copy_image(source: Path, target: Path) -> None:
    """Copy an image; inside a block the copy inherits what is known of the source."""
    learned = _learned.get()
    if learned is None:
        shutil.copyfile(source, target)
        return
    source_key = _file_key(source)
    shutil.copyfile(source, target)
    if not _unchanged(source, source_key):  # changed while copied: the copy is of neither
        return
    target_key = _file_key(target)
    for kind in (_DECODE, _SHA256):
        if (kind, source_key) in learned:
            learned[(kind, target_key)] = learned[(kind, source_key)]


@dataclass(frozen=True)
class Decoded:
    """What one decode tells: why the file is unreadable, or its perceptual hash."""

    problem: str | None
    dhash: int | None


def decode_image(path: Path) -> Decoded:
    """Decode at reduced size (fast) and take the difference hash from that same decode."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", (32, 32))
            image.load()
            return Decoded(None, difference_hash(image))
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as error:
        return Decoded(f"not a readable image ({error})", None)


def difference_hash(image: Image.Image) -> int:
    """dHash (Krawetz): grey, 9x8 pixels, one bit per pixel brighter than its right neighbour.

    Resizing and re-encoding move few of the 64 bits, so near-duplicates are
    found by counting differing bits (`hash_distance`).
    """
    small = image.convert("L").resize((9, 8), Image.Resampling.BILINEAR)
    pixels = small.tobytes()
    bits = 0
    for row in range(8):
        for column in range(8):
            left, right = pixels[row * 9 + column], pixels[row * 9 + column + 1]
            bits = (bits << 1) | (left > right)
    return bits


def hash_distance(first: int, second: int) -> int:
    """How many of the 64 bits of two difference hashes differ."""
    return (first ^ second).bit_count()


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in blocks: images are matched by content, not by
    name, and the package content hash is built from it (weights can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
