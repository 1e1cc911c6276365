"""What a submission package contains, its content hash, and the upload tarball.

The content hash is computed over exactly the entries that the tarball would
hold (junk left out), so a report that records it proves which content passed
and `package` can refuse anything else.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from harness.errors import UserError

JUNK_NAMES = (
    ".DS_Store",
    "Thumbs.db",
    ".idea",
    ".vscode",
    "__pycache__",
    ".ipynb_checkpoints",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".git",
    ".hg",
    ".svn",
)
JUNK_PATTERNS = ("*.pyc", "*.pyo", "*~", "*.swp", "*.swo", "*.bak", "*.orig", "._*")

FILE, LINK, SPECIAL = "file", "link", "special"


@dataclass(frozen=True)
class Entry:
    """One thing inside the package, by its POSIX path relative to the root."""

    relpath: str
    kind: str
    source: Path
    executable: bool = False
    link_target: str | None = None
    size: int = 0


@dataclass
class Contents:
    """A scan of a submission folder: what would be packaged, and what would not."""

    root: Path
    entries: list[Entry] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def files(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == FILE]

    @property
    def total_bytes(self) -> int:
        return sum(e.size for e in self.files)


def is_junk(name: str) -> bool:
    """True for names that never belong in an upload (editor, OS and cache litter)."""
    return name in JUNK_NAMES or any(fnmatch.fnmatchcase(name, p) for p in JUNK_PATTERNS)


def _inside(root: Path, target: Path) -> bool:
    return target == root or root in target.parents


def _link_entry(root: Path, path: Path, relpath: str) -> tuple[Entry | None, str | None]:
    """A symlink is kept (as a relative link) only if it resolves inside the package."""
    raw = os.readlink(path)
    resolved = (path.parent / raw).resolve()
    if not resolved.exists():
        return None, f"{relpath}: a link to {raw!r}, which does not exist"
    if not _inside(root, resolved):
        return None, f"{relpath}: a link that points outside the package ({raw!r})"
    target = os.path.relpath(resolved, path.parent.resolve())
    return Entry(relpath, LINK, path, link_target=PurePosixPath(Path(target)).as_posix()), None


def scan(submission_dir: Path) -> Contents:
    """Walk the submission folder without following links; sorted, junk set aside."""
    root = Path(submission_dir).resolve()
    if not root.is_dir():
        raise UserError(
            f"submission folder not found: {submission_dir}",
            "pass the folder that holds submission.toml, e.g. --submission submission",
        )
    contents = Contents(root=root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        rel_here = here.relative_to(root)
        descend = []
        for name in sorted(dirnames):
            relpath = (rel_here / name).as_posix()
            if is_junk(name):
                contents.junk.append(relpath + "/")
            elif (here / name).is_symlink():
                _add(contents, root, here / name, relpath)
            else:
                descend.append(name)
        dirnames[:] = descend
        for name in sorted(filenames):
            relpath = (rel_here / name).as_posix()
            if is_junk(name):
                contents.junk.append(relpath)
            else:
                _add(contents, root, here / name, relpath)
    contents.entries.sort(key=lambda e: e.relpath)
    contents.junk.sort()
    return contents


def _add(contents: Contents, root: Path, path: Path, relpath: str) -> None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        entry, problem = _link_entry(root, path, relpath)
        if problem:
            contents.problems.append(problem)
        if entry:
            contents.entries.append(entry)
    elif stat.S_ISREG(info.st_mode):
        executable = bool(info.st_mode & stat.S_IXUSR)
        contents.entries.append(Entry(relpath, FILE, path, executable, size=info.st_size))
    else:
        contents.problems.append(f"{relpath}: not a regular file (device, FIFO or socket)")
        contents.entries.append(Entry(relpath, SPECIAL, path))


def _file_digest(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def hash_entries(entries: Iterable[Entry]) -> str:
    """sha256 over sorted (path, kind, exec bit, content digest or link target)."""
    digest = hashlib.sha256(b"onlinesim-content-v1\0")
    for entry in sorted(entries, key=lambda e: e.relpath):
        digest.update(entry.relpath.encode("utf-8") + b"\0" + entry.kind.encode() + b"\0")
        if entry.kind == FILE:
            digest.update(b"x" if entry.executable else b"-")
            digest.update(_file_digest(entry.source))
        elif entry.kind == LINK:
            digest.update((entry.link_target or "").encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def content_hash(submission_dir: Path) -> str:
    """sha256 of the package content: what `package` would put in the tarball."""
    return hash_entries(scan(submission_dir).entries)
