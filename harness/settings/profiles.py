"""Profiles: named sets of contest numbers, read from a TOML file the user can read.

The built-in file is `harness/settings/profiles.toml`; it holds each profile's own
numbers, and the profile settings' defaults (harness/settings/table.py) fill the rest.
A config file may add or change profiles with `[profiles.<name>]` tables, and change a
default for every profile with `[profiles.defaults]`; `harness.settings.config` merges
them. Every value is checked here, so a typo in any file is named with its source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import UserError
from harness.settings.table import Scope, check_setting, settings_of

BUILTIN_PROFILES = Path(__file__).with_name("profiles.toml")
DEFAULTS_TABLE = "defaults"


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables; a UserError naming the file when it cannot be read."""
    try:
        with Path(path).open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file.") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: not valid TOML: {error}.") from None


def merge_profile_tables(
    base: Mapping[str, Mapping[str, Any]],
    extra: Mapping[str, Any],
    source: str,
) -> dict[str, dict[str, Any]]:
    """`base` with `extra`'s tables laid over it, key by key (defaults included)."""
    merged = {name: dict(table) for name, table in base.items()}
    for name, table in extra.items():
        if not isinstance(table, Mapping):
            raise UserError(f"{source}: '{name}' must be a table [{name}] of settings.")
        for key, value in table.items():
            check_setting(key, value, f"{source} [{name}]", Scope.PROFILE)
        merged.setdefault(name, {}).update(table)
    return merged


def resolve_profiles(tables: Mapping[str, Mapping[str, Any]], source: str) -> dict[str, dict]:
    """Every profile filled from the defaults and each value checked; complete or refused."""
    defaults = {s.name: s.default for s in settings_of(Scope.PROFILE) if s.has_default}
    defaults.update(tables.get(DEFAULTS_TABLE, {}))
    profiles: dict[str, dict] = {}
    for name, table in tables.items():
        if name == DEFAULTS_TABLE:
            continue
        merged = {**defaults, **table}
        missing = [s.name for s in settings_of(Scope.PROFILE) if s.name not in merged]
        if missing:
            raise UserError(f"{source}: profile '{name}' lacks {', '.join(missing)}.")
        profiles[name] = {
            key: check_setting(key, value, f"{source} [{name}]", Scope.PROFILE)
            for key, value in merged.items()
        }
    return profiles


def builtin_tables() -> dict[str, dict[str, Any]]:
    """The raw tables of the built-in profiles file."""
    return read_toml(BUILTIN_PROFILES)


def load_profiles() -> dict[str, dict]:
    """The built-in profiles, resolved."""
    return resolve_profiles(builtin_tables(), str(BUILTIN_PROFILES))


def pick_profile(profiles: Mapping[str, dict], name: str) -> dict:
    """The profile called `name`, or a UserError listing the valid names."""
    if name not in profiles:
        raise UserError(
            f"unknown profile '{name}'.",
            hint=f"valid profiles: {', '.join(sorted(profiles))}",
        )
    return dict(profiles[name])
