"""Where each entry goes inside the archive: the folder as it is, or the contest's layout.

A registry by name, so `package --layout` lists the valid ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.errors import UserError
from harness.package.contents import Contents
from harness.package.contest_layout import CODE_DIR as CONTEST_CODE_DIR
from harness.package.contest_layout import ENTRY_SCRIPTS
from harness.upload.tarball import Member


def plain_layout(contents: Contents, classes: Sequence[str] | None) -> list[Member]:
    """The submission folder as it is, at the root of the archive."""
    return [Member(e.relpath, e) for e in contents.entries]


def class_index_text(classes: Sequence[str]) -> str:
    """The contest's class_index.txt: `name index`, index = position in sorted order."""
    return "".join(f"{name} {index}\n" for index, name in enumerate(sorted(classes)))


def _already_contest(contents: Contents) -> bool:
    """A folder that has python_package/<entry script> is in the contest's layout already."""
    entries = {f"{CONTEST_CODE_DIR}/{name}" for name in ENTRY_SCRIPTS}
    return any(entry.relpath in entries for entry in contents.entries)


def contest_layout(contents: Contents, classes: Sequence[str] | None) -> list[Member]:
    """python_package/ (code, class_index.txt, weights) with requirements.txt beside it.

    A folder already in that layout keeps its paths, so the archive unpacked runs
    as it is; any other folder goes into python_package/ whole, its manifest too.
    """
    members: list[Member] = []
    keep_paths = _already_contest(contents)
    for entry in contents.entries:
        if keep_paths or entry.relpath == "requirements.txt":
            members.append(Member(entry.relpath, entry))
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
