"""What a submission package contains: the walk, the junk rules, and the copy of it.

Everything else in packaging (the content hash, the tarball, the phase copies
that simulate runs on) sees the package only through `scan`, so all agree on
what is content.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
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

# The harness's own output folders, at the package root when a user runs the
# harness from inside their package: never content. Simulate's phase copies,
# the content hash and the tarball all leave them out through `scan`.
OUTPUT_FOLDERS = ("runs", "dist")


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
    outputs: list[str] = field(default_factory=list)
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


def inside(root: Path, target: Path) -> bool:
    """True when `target` is `root` or lies below it (both resolved)."""
    return target == root or root in target.parents


def utf8_name(relpath: str) -> bool:
    """False for a name the file system gave as bytes that are not UTF-8 (a tarball or a
    report cannot name it portably)."""
    try:
        relpath.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_utf8(relpath: str) -> str:
    shown = os.fsencode(relpath).decode("utf-8", errors="backslashreplace")
    return f"{shown}: a name that is not UTF-8 (rename it)"


def _link_entry(root: Path, path: Path, relpath: str) -> tuple[Entry | None, str | None]:
    """A symlink is kept (as a relative link) only if it resolves inside the package."""
    raw = os.readlink(path)
    resolved = (path.parent / raw).resolve()
    if not resolved.exists():
        return None, f"{relpath}: a link to {raw!r}, which does not exist"
    if not inside(root, resolved):
        return None, f"{relpath}: a link that points outside the package ({raw!r})"
    target = os.path.relpath(resolved, path.parent.resolve())
    return Entry(relpath, LINK, path, link_target=PurePosixPath(Path(target)).as_posix()), None


def output_folders(root: Path, leave_out: Iterable[Path] = ()) -> set[Path]:
    """The folders under `root` that hold harness output: OUTPUT_FOLDERS and `leave_out`.

    `leave_out` names output folders by any path (a --runs-dir, an --out);
    those outside the package do not matter.
    """
    folders = {root / name for name in OUTPUT_FOLDERS}
    folders.update(Path(path).resolve() for path in leave_out)
    return {folder for folder in folders if folder != root and inside(root, folder)}


def scan(submission_dir: Path, leave_out: Iterable[Path] = ()) -> Contents:
    """Walk the submission folder without following links; sorted, junk and output set aside.

    Output folders (`output_folders`) are listed in `outputs`, not in `junk`:
    they are the harness's, not litter the user should clean.
    """
    root = Path(submission_dir).resolve()
    if not root.is_dir():
        raise UserError(
            f"submission folder not found: {submission_dir}",
            "pass the folder that holds submission.toml, e.g. --submission submission",
        )
    contents = Contents(root=root)
    outputs = output_folders(root, leave_out)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        rel_here = here.relative_to(root)
        descend = []
        for name in sorted(dirnames):
            relpath = (rel_here / name).as_posix()
            if here / name in outputs:
                contents.outputs.append(relpath + "/")
            elif is_junk(name):
                contents.junk.append(relpath + "/")
            elif not utf8_name(relpath):
                contents.problems.append(_not_utf8(relpath + "/"))
            elif (here / name).is_symlink():
                _add(contents, root, here / name, relpath)
            else:
                descend.append(name)
        dirnames[:] = descend
        for name in sorted(filenames):
            relpath = (rel_here / name).as_posix()
            if is_junk(name):
                contents.junk.append(relpath)
            elif not utf8_name(relpath):
                contents.problems.append(_not_utf8(relpath))
            else:
                _add(contents, root, here / name, relpath)
    contents.entries.sort(key=lambda e: e.relpath)
    contents.junk.sort()
    contents.outputs.sort()
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


def refuse_problems(contents: Contents) -> None:
    """Refuse what `package` cannot upload; `simulate` calls it too, so no rehearsal passes on a
    package that will not be accepted (its phase copies would silently lack those links)."""
    if contents.problems:
        raise UserError(
            "the submission holds things that cannot be packaged:\n    "
            + "\n    ".join(contents.problems),
            "replace links that leave the folder by the files themselves; remove special files; "
            "rename files whose names are not UTF-8",
        )


def copy_contents(submission_dir: Path, target: Path, leave_out: Iterable[Path] = ()) -> None:
    """Copy into `target` exactly the entries `scan` finds: what would be uploaded.

    Phases and tuning variants run on such a copy, so junk and output folders
    never reach them and the submission folder itself is never written to.
    Links are recreated as the relative links the scan kept.
    """
    target.mkdir(parents=True, exist_ok=True)
    for entry in scan(submission_dir, leave_out).entries:
        destination = target / entry.relpath
        destination.parent.mkdir(parents=True, exist_ok=True)
        if entry.kind == FILE:
            shutil.copy2(entry.source, destination)
        elif entry.kind == LINK and entry.link_target is not None:
            destination.symlink_to(entry.link_target)
