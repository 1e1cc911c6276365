"""The submission manifest, `submission.toml`: what to run for each phase.

Every problem is a UserError that names the file and the field, because the
person reading it is about to edit that file.

The predict table may instead ask the harness to serve the exported
SavedModel the way the platform did (`serve = "savedmodel"`, see
`serve_settings`); its command is then the harness's own predictor.

A phase may add environment variables (`env = { KERAS_BACKEND = "torch" }`),
so a package chooses its framework's settings itself, as it would on the
platform. The names the harness sets (the contract's paths, budget, scratch
folders, GPU visibility) stay the harness's and are refused.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from harness.errors import UserError
from harness.package.contest_layout import CODE_DIR, derive_manifest, is_contest_layout
from harness.package.serve_settings import ServeSettings, parse_serve

MANIFEST_NAME = "submission.toml"
EXAMPLE = """\
    name = "my-entry"
    [train]
    command = ["python", "train.py"]
    [predict]
    command = ["python", "predict.py"]"""
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HARNESS_PREFIXES = ("ONLINESIM_", "IMAGE_")
HARNESS_NAMES = frozenset(
    {
        "MODEL_INFERENCE_PATH",
        "TMPDIR",
        "HOME",
        "PATH",
        "PYTHONUNBUFFERED",
        "PYTHONIOENCODING",
        "CUDA_VISIBLE_DEVICES",
        "NVIDIA_VISIBLE_DEVICES",
    }
)


@dataclass(frozen=True)
class Manifest:
    """A checked manifest: the package's name, each phase's argv and added environment.

    `predict_serve` is set when the platform serves the model; `predict_command` is then empty.
    """

    path: Path
    name: str
    train_command: tuple[str, ...]
    predict_command: tuple[str, ...]
    train_env: dict[str, str]
    predict_env: dict[str, str]
    predict_serve: ServeSettings | None = None
    derived: str | None = None  # how it was derived, for a package in the contest layout

    @property
    def root(self) -> Path:
        return self.path.parent


def _phase(data: dict[str, Any], phase: str, path: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    """The phase's argv and added environment, checked in the order a reader fixes them."""
    table = data.get(phase)
    if table is None:
        raise UserError(
            f"{path}: missing the [{phase}] table.",
            hint=f"a manifest looks like:\n{EXAMPLE}",
        )
    if not isinstance(table, dict):
        kind = type(table).__name__
        raise UserError(f"{path}: '{phase}' must be a table [{phase}], not a {kind}.")
    return _command(table, phase, path), _env(table, phase, path)


def _predict(data: dict[str, Any], path: Path):
    """The predict table: a command of the package's, or the platform's serving settings."""
    table = data.get("predict")
    if not isinstance(table, dict) or "serve" not in table:
        return (*_phase(data, "predict", path), None)
    if "command" in table:
        raise UserError(
            f"{path}: [predict] has both 'command' and 'serve'; choose one.",
            hint='serve = "savedmodel" means the harness predicts with your exported model.',
        )
    return (), _env(table, "predict", path), parse_serve(table, f"{path}: [predict]")


def _command(table: dict[str, Any], phase: str, path: Path) -> tuple[str, ...]:
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
    for arg in command:  # a phase runs in its package copy; `..` would reach outside it
        if ".." in PurePosixPath(arg).parts:
            raise UserError(
                f"{path}: [{phase}].command names {arg!r}, a path that climbs out of the package.",
                hint="name files by their path inside the submission folder, without '..'.",
            )
    return tuple(command)


def _env(table: dict[str, Any], phase: str, path: Path) -> dict[str, str]:
    env = table.get("env", {})
    if not isinstance(env, dict):
        raise UserError(
            f"{path}: [{phase}].env must be a table of names to strings, got {env!r}.",
            hint='write it as env = { KERAS_BACKEND = "torch" }.',
        )
    for name, value in env.items():
        if not ENV_NAME.fullmatch(name):
            raise UserError(f"{path}: [{phase}].env: {name!r} is not a valid variable name.")
        if not isinstance(value, str):
            raise UserError(
                f"{path}: [{phase}].env.{name} must be a string, got {value!r}.",
                hint=_quoted_hint(name, value),
            )
        if "\0" in value:  # no process environment can hold it: the launch would fail later
            raise UserError(f"{path}: [{phase}].env.{name} contains a NUL character (\\u0000).")
        if name in HARNESS_NAMES or name.startswith(HARNESS_PREFIXES):
            raise UserError(
                f"{path}: [{phase}].env sets {name}, which the harness sets for every phase.",
                hint="remove it; docs/contract.md lists what the harness provides.",
            )
    return dict(env)


def _quoted_hint(name: str, value: object) -> str:
    """The line as it should read, for a number or boolean written without quotes."""
    if isinstance(value, bool):
        return f'quote it: {name} = "{str(value).lower()}".'
    if isinstance(value, int | float):
        return f'quote it: {name} = "{value}".'
    return f'write one string: {name} = "...".'


def load_manifest(submission_dir: Path) -> Manifest:
    """Read and check `<submission_dir>/submission.toml`."""
    submission_dir = Path(submission_dir)
    if not submission_dir.is_dir():
        raise UserError(
            f"submission folder {submission_dir} does not exist or is not a folder.",
            hint="pass --submission DIR, the folder holding submission.toml.",
        )
    path = submission_dir.resolve() / MANIFEST_NAME
    nested = path.parent / CODE_DIR / MANIFEST_NAME
    if not path.is_file() and nested.is_file():
        raise UserError(
            f"{path.parent}: no {MANIFEST_NAME} here, but one in {CODE_DIR}/: a contest-layout "
            "archive of a package with a manifest.",
            hint=f"pass --submission {path.parent / CODE_DIR}",
        )
    if not path.is_file() and is_contest_layout(path.parent):
        return derive_manifest(path.parent, MANIFEST_NAME)
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
    train_command, train_env = _phase(data, "train", path)
    predict_command, predict_env, serve = _predict(data, path)
    return Manifest(path, name, train_command, predict_command, train_env, predict_env, serve)
