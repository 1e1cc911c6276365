"""The upload tarball, byte-for-byte reproducible from the same members.

Same content, same tarball: fixed owner, modes and times, sorted members and
a gzip header without a timestamp, so its sha256 identifies the upload.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from harness.package.contents import FILE, LINK, Entry

ARCHIVE_MTIME = 0


@dataclass(frozen=True)
class Member:
    """One tar member: an entry of the submission, or bytes the packager writes."""

    arcname: str
    entry: Entry | None = None
    data: bytes | None = None


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
