"""CLI sub-commands, listed explicitly: one module per command, in the order `--help` shows.

A command module defines `NAME`, `HELP`, `add_arguments(parser)` and
`run(args) -> int`; adding a command means adding a module and its line here.
"""

from __future__ import annotations

from types import ModuleType

from harness.cli.commands import (
    compare,
    make_demo_data,
    package,
    pretrain,
    report,
    simulate,
    sweep,
    tune,
)

COMMANDS: tuple[ModuleType, ...] = (
    simulate,
    tune,
    pretrain,
    sweep,
    package,
    report,
    compare,
    make_demo_data,
)


def command_modules() -> dict[str, ModuleType]:
    """The command modules, keyed by command name."""
    return {module.NAME: module for module in COMMANDS}
