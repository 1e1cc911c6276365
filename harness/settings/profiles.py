"""Profiles: named sets of contest numbers, read from a TOML file the user can read.

The built-in file is `harness/settings/profiles.toml`. A config file may add or change
profiles with `[profiles.<name>]` tables; `harness.settings.config` merges them. Every
value is checked here, so a typo in any file is named with its source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import UserError

BUILTIN_PROFILES = Path(__file__).with_name("profiles.toml")
DEFAULTS_TABLE = "defaults"
WHEN_SHORT = ("scale_down", "refuse")


def _count_or_all(value: Any) -> int | str:
    if value == "all":
        return "all"
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('a positive whole number or "all"')
    return value


def positive_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError("a number above 0")
    return float(value)


def _non_negative_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError("a number of 0 or more")
    return float(value)


def non_negative_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a whole number of 0 or more")
    return value


def _memory_mb(value: Any) -> int | None:
    if value == "none":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError('a positive whole number of MiB, or "none" for no limit')
    return value


def _fraction(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError("a fraction between 0 and 1 (exclusive)")
    return float(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def _hash_bits(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not -1 <= value <= 64:
        raise ValueError(f"must be a whole number from -1 (exact bytes only) to 64, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a string")
    return value


def _when_short(value: Any) -> str:
    if value not in WHEN_SHORT:
        raise ValueError(" or ".join(f'"{choice}"' for choice in WHEN_SHORT))
    return value


@dataclass(frozen=True)
class Setting:
    """One profile value: how to check it and what it means (shown in errors and docs)."""

    convert: Callable[[Any], Any]
    help: str


PROFILE_SETTINGS: dict[str, Setting] = {
    "description": Setting(_text, "one line saying what the profile is for"),
    "train_images": Setting(_count_or_all, "training images staged"),
    "test_images": Setting(_count_or_all, "test images staged, drawn from the hold-out reserve"),
    "train_budget_s": Setting(positive_float, "train phase wall-clock budget"),
    "per_image_ms": Setting(positive_float, "limit per predicted image"),
    "predict_setup_s": Setting(positive_float, "limit for loading before the first image"),
    "request_timeout_s": Setting(positive_float, "no answer this long ends predict"),
    "grace_s": Setting(_non_negative_float, "between SIGTERM and SIGKILL"),
    "memory_limit_mb": Setting(_memory_mb, "memory of the whole process tree"),
    "gpu_memory_limit_mb": Setting(_memory_mb, "GPU memory of the phase's processes (NVML)"),
    "network": Setting(boolean, "whether the phases may use the network"),
    "gpu": Setting(non_negative_int, "GPUs given to the phases"),
    "holdout_fraction": Setting(_fraction, "share of each class kept for test splits"),
    "holdout_seed": Setting(non_negative_int, "seed fixing the hold-out reserve"),
    "near_duplicate_bits": Setting(_hash_bits, "dHash bits a near-duplicate may differ by"),
    "when_short": Setting(_when_short, "what to do when the data holds fewer images"),
    "min_train_per_class": Setting(non_negative_int, "refuse below this many per class"),
    "min_test_images": Setting(non_negative_int, "refuse below this many test images"),
}


def check_value(key: str, value: Any, source: str) -> Any:
    """The checked value of one profile setting; a UserError naming `source` otherwise."""
    setting = PROFILE_SETTINGS.get(key)
    if setting is None:
        raise UserError(
            f"{source}: unknown setting '{key}'.",
            hint=f"valid settings: {', '.join(PROFILE_SETTINGS)}",
        )
    try:
        return setting.convert(value)
    except ValueError as error:
        raise UserError(f"{source}: {key} must be {error}, got {value!r}.") from None


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
            check_value(key, value, f"{source} [{name}]")
        merged.setdefault(name, {}).update(table)
    return merged


def resolve_profiles(tables: Mapping[str, Mapping[str, Any]], source: str) -> dict[str, dict]:
    """Every profile with [defaults] filled in and each value checked; complete or refused."""
    defaults = dict(tables.get(DEFAULTS_TABLE, {}))
    profiles: dict[str, dict] = {}
    for name, table in tables.items():
        if name == DEFAULTS_TABLE:
            continue
        merged = {**defaults, **table}
        missing = [key for key in PROFILE_SETTINGS if key not in merged]
        if missing:
            raise UserError(f"{source}: profile '{name}' lacks {', '.join(missing)}.")
        profiles[name] = {
            key: check_value(key, value, f"{source} [{name}]") for key, value in merged.items()
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
