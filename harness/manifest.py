"""The submission manifest, `submission.toml`: what to run for each phase.

Every problem is a UserError that names the file and the field, because the
person reading it is about to edit that file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import UserError

MANIFEST_NAME = "submission.toml"
EXAMPLE = """\
    name = "my-entry"
    [train]
    command = ["python", "train.py"]
    [predict]
    command = ["python", "predict.py"]"""


@dataclass(frozen=True)
class Manifest:
    """A checked manifest: the package's name and each phase's argv."""

    path: Path
    name: str
    train_command: tuple[str, ...]
    predict_command: tuple[str, ...]

    @property
    def root(self) -> Path:
        return self.path.parent


def _command(data: dict[str, Any], phase: str, path: Path) -> tuple[str, ...]:
    table = data.get(phase)
    if table is None:
        raise UserError(
            f"{path}: missing the [{phase}] table.",
            hint=f"a manifest looks like:\n{EXAMPLE}",
        )
    if not isinstance(table, dict):
        kind = type(table).__name__
        raise UserError(f"{path}: '{phase}' must be a table [{phase}], not a {kind}.")
    command = table.get("command")
    if command is None:
        raise UserError(
            f"{path}: [{phase}] has no 'command'.",
            hint=f'add command = ["python", "{phase}.py"] under [{phase}].',
        )
    if isinstance(command, str):
        raise UserError(
            f"{path}: [{phase}].command must be a list of strings, got the string {command!r}.",
            hint=f"write it as an argv list, e.g. command = {command.split()!r}".replace("'", '"'),
        )
    if not isinstance(command, list) or not command or not all(isinstance(a, str) for a in command):
        raise UserError(
            f"{path}: [{phase}].command must be a non-empty list of strings, got {command!r}."
        )
    return tuple(command)


def load_manifest(submission_dir: Path) -> Manifest:
    """Read and check `<submission_dir>/submission.toml`."""
    submission_dir = Path(submission_dir)
    if not submission_dir.is_dir():
        raise UserError(
            f"submission folder {submission_dir} does not exist or is not a folder.",
            hint="pass --submission DIR, the folder holding submission.toml.",
        )
    path = submission_dir.resolve() / MANIFEST_NAME
    if not path.is_file():
        raise UserError(
            f"{path}: no manifest; a submission folder needs a {MANIFEST_NAME}.",
            hint=f"a manifest looks like:\n{EXAMPLE}",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: not valid TOML: {error}.") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise UserError(
            f"{path}: 'name' is required and must be a non-empty string.",
            hint='add a first line such as name = "my-entry".',
        )
    return Manifest(
        path=path,
        name=name,
        train_command=_command(data, "train", path),
        predict_command=_command(data, "predict", path),
    )
