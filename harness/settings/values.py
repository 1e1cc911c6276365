"""The kinds of value a setting takes: the rule an error states, the check, the Python type.

A value reaches a setting from TOML (a profile or config file), from `--set key=value`
or from a flag. Command-line text is read as TOML (numbers, true/false, "quoted"),
except for kinds whose text is the value itself (paths, names), so that a folder
called `2019` or `2024-01-01` stays a folder name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def toml_value(text: str) -> Any:
    """Command-line text as TOML would read it (numbers, true/false, "quoted"), else the text."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def _same(value: Any) -> Any:
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class ValueKind:
    """What a setting accepts; `check` returns the value as the run uses it."""

    rule: str
    python_type: Any
    accepts: Callable[[Any], bool]
    convert: Callable[[Any], Any] = _same
    literal_text: bool = False
    metavar: str = "VALUE"

    def check(self, value: Any) -> Any:
        """The converted value; ValueError(rule) when `value` breaks the rule."""
        if not self.accepts(value):
            raise ValueError(self.rule)
        return self.convert(value)

    def from_text(self, text: str) -> Any:
        """A value typed on the command line, before the check."""
        return text if self.literal_text else toml_value(text)


def choice_of(*choices: str) -> ValueKind:
    """One of a few fixed words."""
    return ValueKind(
        rule=" or ".join(f'"{choice}"' for choice in choices),
        python_type=str,
        accepts=lambda value: value in choices,
        literal_text=True,
        metavar="{" + ",".join(choices) + "}",
    )


COUNT_OR_ALL = ValueKind(
    'a positive whole number or "all"',
    int | str,
    lambda value: value == "all" or (_whole(value) and value >= 1),
    metavar="N",
)
POSITIVE_NUMBER = ValueKind(
    "a number above 0", float, lambda value: _number(value) and value > 0, float, metavar="X"
)
NON_NEGATIVE_NUMBER = ValueKind(
    "a number of 0 or more", float, lambda value: _number(value) and value >= 0, float, metavar="X"
)
NON_NEGATIVE_WHOLE = ValueKind(
    "a whole number of 0 or more", int, lambda value: _whole(value) and value >= 0, metavar="N"
)
FRACTION = ValueKind(
    "a fraction between 0 and 1 (exclusive)",
    float,
    lambda value: _number(value) and 0 < value < 1,
    float,
    metavar="X",
)
MEBIBYTES_OR_NONE = ValueKind(
    'a positive whole number of MiB, or "none" for no limit',
    int | None,
    lambda value: value == "none" or (_whole(value) and value >= 1),
    lambda value: None if value == "none" else value,
    metavar="MIB",
)
HASH_BITS = ValueKind(
    "a whole number from -1 (exact bytes only) to 64",
    int,
    lambda value: _whole(value) and -1 <= value <= 64,
    metavar="BITS",
)
BOOLEAN = ValueKind("true or false", bool, lambda value: isinstance(value, bool))
TEXT = ValueKind("a string", str, lambda value: isinstance(value, str), literal_text=True)
PATH = ValueKind(
    "a path",
    str,
    lambda value: isinstance(value, str | Path) and bool(str(value)),
    str,
    literal_text=True,
    metavar="DIR",
)
NAME = ValueKind(
    "a name",
    str,
    lambda value: isinstance(value, str) and bool(value.strip()),
    literal_text=True,
    metavar="NAME",
)
IMAGE_NAME = ValueKind(
    'an image name, e.g. "onlinesim:latest"',
    str,
    lambda value: isinstance(value, str) and bool(value.strip()),
    literal_text=True,
    metavar="IMAGE",
)
