"""A package in the contest's upload layout, run as it is: the manifest is derived.

The 2019 upload was `python_package/` (the training entry `model.py` or
`train.py`, `class_index.txt`, weights), `requirements.txt` and the team's
prediction jar, with no manifest. Train runs the entry script; predict is the
platform's: the SavedModel served with the settings of the optional
`python_package/serve.toml` (the keys of a served `[predict]` table), each
key it leaves out taking the default below, a documented guess (docs/platform.md).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from harness.errors import UserError
from harness.package.serve_settings import parse_serve

CODE_DIR = "python_package"
ENTRY_SCRIPTS = ("model.py", "train.py")
SETTINGS_FILE = "serve.toml"
# Unknown on the platform: one of the settings seen in team code (299 px, 127.5 / 127.5).
DEFAULT_SERVE = {"serve": "savedmodel", "input_size": 299, "mean": 127.5, "scale": 127.5}


def is_contest_layout(root: Path) -> bool:
    return any((root / CODE_DIR / name).is_file() for name in ENTRY_SCRIPTS)


def derive_manifest(root: Path, manifest_name: str):
    """The Manifest the platform's way of running implies, and a sentence saying so."""
    from harness.package.manifest import Manifest  # the manifest module calls this one

    entry = next(name for name in ENTRY_SCRIPTS if (root / CODE_DIR / name).is_file())
    settings_path = root / CODE_DIR / SETTINGS_FILE
    table = dict(DEFAULT_SERVE)
    if settings_path.is_file():
        try:
            table.update(tomllib.loads(settings_path.read_text("utf-8")))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise UserError(f"{settings_path}: not valid UTF-8 TOML: {error}.") from None
    serve = parse_serve(table, str(settings_path if settings_path.is_file() else root))
    jars = sorted(p.name for p in root.glob("*.jar"))
    source = f"{CODE_DIR}/{SETTINGS_FILE}" if settings_path.is_file() else "the platform defaults"
    note = (
        f"no {manifest_name}: run in the contest layout (train: python {CODE_DIR}/{entry}; "
        f"predict: the SavedModel served with the settings of {source})"
        + (f"; the jar(s) {', '.join(jars)} are noted and not run" if jars else "")
    )
    return Manifest(
        root / manifest_name,
        root.name,
        ("python", f"{CODE_DIR}/{entry}"),
        (),
        {},
        {},
        serve,
        note,
    )
