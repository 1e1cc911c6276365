"""Where each entry goes inside the archive: the folder as it is, or the contest's layout.

A registry by name, so `package --layout` lists the valid ones.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.errors import UserError
from harness.package.contents import Contents
from harness.upload.tarball import Member

CONTEST_CODE_DIR = "python_package"


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
