"""What a submission package contains, its content hash, and the upload tarball.

The content hash is computed over exactly the entries that the tarball would
hold (junk left out), so a report that records it proves which content passed
and `package` can refuse anything else.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from harness.errors import UserError
from harness.manifest import MANIFEST_NAME, Manifest, load_manifest
from harness.profiles import load_profiles

ONLINE_PROFILE = "online"

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


def output_folders(root: Path, leave_out: Iterable[Path] = ()) -> set[Path]:
    """The folders under `root` that hold harness output: OUTPUT_FOLDERS and `leave_out`.

    `leave_out` names output folders by any path (a --runs-dir, an --out);
    those outside the package do not matter.
    """
    folders = {root / name for name in OUTPUT_FOLDERS}
    folders.update(Path(path).resolve() for path in leave_out)
    return {folder for folder in folders if folder != root and _inside(root, folder)}


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


def content_hash(submission_dir: Path, leave_out: Iterable[Path] = ()) -> str:
    """sha256 of the package content: what `package` would put in the tarball."""
    return hash_entries(scan(submission_dir, leave_out).entries)


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


ARCHIVE_MTIME = 0
CONTEST_CODE_DIR = "python_package"


@dataclass(frozen=True)
class Member:
    """One tar member: an entry of the submission, or bytes the packager writes."""

    arcname: str
    entry: Entry | None = None
    data: bytes | None = None


def plain_layout(contents: Contents, classes: Sequence[str] | None) -> list[Member]:
    """The submission folder as it is, at the root of the archive."""
    return [Member(e.relpath, e) for e in contents.entries]


def class_index_text(classes: Sequence[str]) -> str:
    """The contest's class_index.txt: `name index`, index = position in sorted order."""
    return "".join(f"{name} {index}\n" for index, name in enumerate(sorted(classes)))


def contest_layout(contents: Contents, classes: Sequence[str] | None) -> list[Member]:
    """python_package/ (code, class_index.txt, weights) with requirements.txt beside it."""
    members: list[Member] = []
    for entry in contents.entries:
        if entry.relpath == "requirements.txt":
            members.append(Member("requirements.txt", entry))
        else:
            members.append(Member(f"{CONTEST_CODE_DIR}/{entry.relpath}", entry))
    names = {m.arcname for m in members}
    if "requirements.txt" not in names:
        members.append(Member("requirements.txt", data=b""))
    if f"{CONTEST_CODE_DIR}/class_index.txt" not in names:
        if not classes:
            raise UserError(
                "the contest layout needs the class names for class_index.txt",
                "pass --data DIR (the data set the submission was trained on)",
            )
        text = class_index_text(classes).encode("utf-8")
        members.append(Member(f"{CONTEST_CODE_DIR}/class_index.txt", data=text))
    return sorted(members, key=lambda m: m.arcname)


LAYOUTS = {"plain": plain_layout, "contest": contest_layout}


def layout_members(
    name: str, contents: Contents, classes: Sequence[str] | None = None
) -> list[Member]:
    """Archive members in the named layout; unknown names list the valid ones."""
    try:
        layout = LAYOUTS[name]
    except KeyError:
        raise UserError(
            f"unknown layout {name!r}", f"choose one of: {', '.join(sorted(LAYOUTS))}"
        ) from None
    return layout(contents, classes)


def _tar_info(arcname: str, kind: str, size: int = 0, executable: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(arcname)
    info.mtime = ARCHIVE_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    if kind == "dir":
        info.type, info.mode = tarfile.DIRTYPE, 0o755
    elif kind == LINK:
        info.type, info.mode = tarfile.SYMTYPE, 0o777
    else:
        info.size, info.mode = size, 0o755 if executable else 0o644
    return info


def _parent_dirs(arcnames: Iterable[str]) -> set[str]:
    dirs: set[str] = set()
    for arcname in arcnames:
        dirs.update(p.as_posix() for p in PurePosixPath(arcname).parents if p.as_posix() != ".")
    return dirs


def _add_member(tar: tarfile.TarFile, arcname: str, member: Member | None) -> None:
    if member is None:
        tar.addfile(_tar_info(arcname, "dir"))
    elif member.data is not None:
        tar.addfile(_tar_info(arcname, FILE, len(member.data)), io.BytesIO(member.data))
    elif member.entry.kind == LINK:
        info = _tar_info(arcname, LINK)
        info.linkname = member.entry.link_target or ""
        tar.addfile(info)
    else:
        entry = member.entry
        with entry.source.open("rb") as handle:
            tar.addfile(_tar_info(arcname, FILE, entry.size, entry.executable), handle)


def write_tarball(members: Sequence[Member], out_path: Path) -> None:
    """A reproducible tar.gz: sorted members, fixed owner, mode and times, gzip mtime 0.

    Written beside the target and renamed at the end, so a failure never
    leaves a truncated tarball under the final name.
    """
    tmp_path = out_path.with_name(out_path.name + ".part")
    files = {m.arcname: m for m in members}
    try:
        with tmp_path.open("wb") as raw, gzip.GzipFile("", "wb", 6, raw, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for arcname in sorted(set(files) | _parent_dirs(files)):
                    _add_member(tar, arcname, files.get(arcname))
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    tmp_path.replace(out_path)


SCRIPT_SUFFIXES = (".py", ".sh")


def check_manifest(contents: Contents) -> Manifest:
    """The manifest must be valid (harness.manifest) and every script it runs packaged."""
    manifest = load_manifest(contents.root)
    packaged = {e.relpath for e in contents.entries}
    commands = {"train": manifest.train_command, "predict": manifest.predict_command}
    for phase, command in commands.items():
        for arg in command[1:]:
            if not arg.endswith(SCRIPT_SUFFIXES) or arg.startswith("-"):
                continue
            script = PurePosixPath(arg)
            if script.is_absolute() or ".." in script.parts:
                raise UserError(
                    f"{MANIFEST_NAME}: [{phase}] command names {arg!r} outside the package",
                    "name scripts by their path relative to the submission folder",
                )
            if script.as_posix() not in packaged:
                raise UserError(
                    f"{MANIFEST_NAME}: [{phase}] command runs {arg!r}, which is not in the package",
                    "add the file, or fix the command",
                )
    return manifest


def check_size(contents: Contents, max_size_mb: float) -> None:
    """Refuse content over the limit, naming the largest files so the user knows what to cut."""
    total = contents.total_bytes
    if total <= max_size_mb * 1024 * 1024:
        return
    largest = sorted(contents.files, key=lambda e: e.size, reverse=True)[:5]
    listing = ", ".join(f"{e.relpath} ({e.size / 1024 / 1024:.1f} MB)" for e in largest)
    raise UserError(
        f"the package content is {total / 1024 / 1024:.1f} MB, over the limit of "
        f"{max_size_mb:g} MB; largest files: {listing}",
        "remove or shrink files, or raise the limit with --max-size-mb if the contest allows",
    )


@dataclass(frozen=True)
class PassingReport:
    """A report.json that shows this exact content passed the online profile."""

    path: Path
    run_id: str
    accuracy: float | None
    classes: tuple[str, ...]
    deviations: tuple[str, ...] = ()


IGNORED_PROFILE_KEYS = ("name", "description", "seed")


def report_deviations(report: dict, online: dict) -> list[str]:
    """How the passing run differed from the built-in online profile: said, not refused."""
    notes = []
    ran = report.get("profile", {})
    for key, value in online.items():
        if key not in IGNORED_PROFILE_KEYS and key in ran and ran[key] != value:
            notes.append(f"{key} = {ran[key]!r} (the online profile says {value!r})")
    scale = report.get("time_scale", 1.0)
    if scale != 1.0:
        notes.append(f"every budget was stretched by time_scale = {scale:g}")
    data = report.get("data", {})
    if data.get("scaled_down"):
        notes.append(
            f"the data was scaled down to {data.get('train_images')} train / "
            f"{data.get('test_images')} test images"
        )
    return notes


def _report_shortfalls(report: dict, wanted_hash: str) -> list[str]:
    shortfalls = []
    name = report.get("profile", {}).get("name")
    if name != ONLINE_PROFILE:
        shortfalls.append(f"its profile is {name!r}, not {ONLINE_PROFILE!r}")
    if not report.get("verdict", {}).get("passed"):
        shortfalls.append("its verdict is not passed")
    if report.get("submission", {}).get("content_sha256") != wanted_hash:
        shortfalls.append("it was run on different content (the content hash differs)")
    return shortfalls


def _read_report(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UserError(f"cannot read the report {path}: {error}") from error


def find_passing_report(
    wanted_hash: str, runs_dir: Path, report_path: Path | None = None
) -> PassingReport:
    """The newest report proving this content passed online, or a UserError saying what lacks.

    Unreadable reports under `runs_dir` are passed over (and named if nothing
    passes); a report given explicitly must be readable.
    """
    if report_path is not None:
        if not Path(report_path).is_file():
            raise UserError(f"report not found: {report_path}")
        candidates = [Path(report_path)]
    else:
        candidates = sorted(Path(runs_dir).glob("*/report.json"), reverse=True)
    closest: tuple[Path, list[str]] | None = None
    unreadable: list[str] = []
    for path in candidates:
        try:
            report = _read_report(path)
        except UserError:
            if report_path is not None:
                raise
            unreadable.append(str(path))
            continue
        shortfalls = _report_shortfalls(report, wanted_hash)
        if not shortfalls:
            return PassingReport(
                path,
                str(report.get("run_id", path.parent.name)),
                report.get("score", {}).get("accuracy"),
                tuple(report.get("data", {}).get("classes", ())),
                tuple(report_deviations(report, load_profiles()[ONLINE_PROFILE])),
            )
        if closest is None:
            closest = (path, shortfalls)
    hint = "run `onlinesim simulate --profile online` on this folder first, or pass --force"
    skipped = f" (unreadable, passed over: {', '.join(unreadable)})" if unreadable else ""
    if closest is None:
        raise UserError(
            f"no report.json found under {runs_dir}: nothing shows a pass{skipped}", hint
        )
    path, shortfalls = closest
    raise UserError(
        f"no report shows that this content passed the online profile; "
        f"the newest, {path}, fails because {'; '.join(shortfalls)}{skipped}",
        hint,
    )


@dataclass(frozen=True)
class PackageConfig:
    """Settings of one `package` run; the CLI fills every field (CLI > these defaults)."""

    submission: Path
    out_dir: Path = Path("dist")
    layout: str = "plain"
    max_size_mb: float = 1024.0
    force: bool = False
    runs_dir: Path = Path("runs")
    report: Path | None = None
    data: Path | None = None


@dataclass
class PackageResult:
    """What was written and what was left out or not checked."""

    tarball: Path
    sha256: str
    size_bytes: int
    content_sha256: str
    junk: list[str]
    outputs: list[str]
    skipped_checks: list[str]
    report: PassingReport | None


def _slug(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.strip())
    return cleaned.strip("-.") or "submission"


def data_classes(data_dir: Path) -> list[str]:
    """Class names of a data set: its sub-folders, junk left out, sorted."""
    if not Path(data_dir).is_dir():
        raise UserError(f"data folder not found: {data_dir}")
    return sorted(p.name for p in Path(data_dir).iterdir() if p.is_dir() and not is_junk(p.name))


def _check_out_dir(out_dir: Path, root: Path, outputs: set[Path]) -> Path:
    """Inside the package only within an output folder, which the content leaves out."""
    resolved = Path(out_dir).resolve()
    if _inside(root, resolved) and not any(_inside(folder, resolved) for folder in outputs):
        raise UserError(
            f"the output folder {out_dir} is inside the submission folder",
            "write the tarball elsewhere (the default is dist/ in the current folder), "
            f"or into one of the folders the package leaves out: {', '.join(OUTPUT_FOLDERS)}",
        )
    resolved.mkdir(parents=True, exist_ok=True)
    return resolved


def build_package(config: PackageConfig) -> PackageResult:
    """Check the content, confirm it passed online (unless forced) and write tarball + sha256."""
    contents = scan(config.submission, leave_out=(config.runs_dir,))
    if contents.problems:
        raise UserError(
            "the submission holds things that cannot be packaged:\n    "
            + "\n    ".join(contents.problems),
            "replace links that leave the folder by the files themselves; remove special files",
        )
    manifest = check_manifest(contents)
    check_size(contents, config.max_size_mb)
    wanted = hash_entries(contents.entries)
    skipped: list[str] = []
    report: PassingReport | None = None
    try:
        report = find_passing_report(wanted, config.runs_dir, config.report)
    except UserError as error:
        if not config.force:
            raise
        skipped.append(f"passed-online check skipped (--force): {error.message}")
    classes = data_classes(config.data) if config.data else list(report.classes if report else [])
    members = layout_members(config.layout, contents, classes)
    outputs = output_folders(contents.root, (config.runs_dir,))
    out_dir = _check_out_dir(config.out_dir, contents.root, outputs)
    suffix = "" if config.layout == "plain" else f"-{config.layout}"
    tarball = out_dir / f"{_slug(manifest.name)}-{wanted[:12]}{suffix}.tar.gz"
    write_tarball(members, tarball)
    digest = _file_digest(tarball).hex()
    tarball.with_name(tarball.name + ".sha256").write_text(
        f"{digest}  {tarball.name}\n", encoding="utf-8"
    )
    return PackageResult(
        tarball,
        digest,
        tarball.stat().st_size,
        wanted,
        contents.junk,
        contents.outputs,
        skipped,
        report,
    )
