"""Config variants: a TOML file laid over the submission's config file, key by key."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from harness.errors import UserError
from harness.package import copy_contents
from harness.settings.profiles import read_toml

BASELINE = "baseline"
DEFAULT_VARIANT_TARGET = "config.toml"


@dataclass(frozen=True)
class Variant:
    """A configuration to try: a TOML file laid over the submission's config file, or none."""

    name: str
    file: Path | None = None


def variants_from_files(files: Sequence[Path]) -> list[Variant]:
    """The baseline (the submission as it is) first, then one per file (read now: fail early)."""
    variants = [Variant(BASELINE)]
    for path in files:
        if not Path(path).is_file():
            raise UserError(f"config variant not found: {path}", "pass an existing TOML file")
        read_toml(Path(path))
        name = Path(path).stem
        if any(v.name == name for v in variants):
            name = f"{name}-{len(variants)}"
        variants.append(Variant(name, Path(path)))
    return variants


def toml_text(values: Mapping[str, Any], where: str) -> str:
    """The merged config as TOML text, written by tomli-w."""
    try:
        return tomli_w.dumps(values)
    except TypeError as error:
        raise UserError(
            f"{where}: {error}; this value cannot be overlaid",
            "use strings, numbers, booleans, dates, lists and tables in config variants",
        ) from error


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def overlay(base: Mapping[str, Any], variant: Mapping[str, Any]) -> dict[str, Any]:
    """The variant's keys over the base's; tables are merged key by key, one level deep."""
    merged = dict(base)
    for key, value in variant.items():
        if _is_table(value) and _is_table(merged.get(key)):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def variant_copy(submission: Path, variant: Variant, target: Path, config_target: str) -> Path:
    """A junk-free copy of the submission with the variant laid over its config file.

    Only the keys the variant names change; a submission without that config
    file gets the variant file as it is.
    """
    copy_contents(submission, target)
    if variant.file is None:
        return target
    destination = target / config_target
    changes = read_toml(variant.file)
    if destination.is_file():
        merged = overlay(read_toml(destination), changes)
        destination.unlink()
        destination.write_text(toml_text(merged, str(variant.file)), encoding="utf-8")
    else:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(variant.file, destination)
    return target
