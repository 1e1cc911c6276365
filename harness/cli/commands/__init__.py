"""CLI sub-commands: every module here is one command, found by name.

A command module defines `NAME`, `HELP`, `add_arguments(parser)` and
`run(args) -> int`. Adding a command means adding a module; nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> dict[str, ModuleType]:
    """All command modules in this package, keyed by command name."""
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.NAME] = module
    return found
