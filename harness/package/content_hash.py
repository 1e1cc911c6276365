"""The content hash: one sha256 over exactly the entries the tarball would hold.

A report that records it proves which content passed, and `package` can
refuse anything else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from harness.data.image_reads import file_sha256
from harness.package.contents import FILE, LINK, Entry, scan


def hash_entries(entries: Iterable[Entry]) -> str:
    """sha256 over sorted (path, kind, exec bit, content digest or link target)."""
    digest = hashlib.sha256(b"onlinesim-content-v1\0")
    for entry in sorted(entries, key=lambda e: e.relpath):
        digest.update(entry.relpath.encode("utf-8") + b"\0" + entry.kind.encode() + b"\0")
        if entry.kind == FILE:
            digest.update(b"x" if entry.executable else b"-")
            digest.update(bytes.fromhex(file_sha256(entry.source)))
        elif entry.kind == LINK:
            digest.update((entry.link_target or "").encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def content_hash(submission_dir: Path, leave_out: Iterable[Path] = ()) -> str:
    """sha256 of the package content: what `package` would put in the tarball."""
    return hash_entries(scan(submission_dir, leave_out).entries)
