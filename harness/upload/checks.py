"""Checks on the content before anything is written: a runnable manifest, a size limit."""

from __future__ import annotations

from pathlib import PurePosixPath

from harness.errors import UserError
from harness.package.contents import Contents
from harness.package.manifest import MANIFEST_NAME, Manifest, load_manifest

SCRIPT_SUFFIXES = (".py", ".sh")


def check_manifest(contents: Contents) -> Manifest:
    """The manifest must be valid (harness.package.manifest) and every script it runs packaged."""
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
