"""The run options of simulate, tune and pretrain, made from the settings table.

Every run setting is a flag (`--time-scale` for `time_scale`) whose help is
the setting's help and default; every profile setting is listed under the
options for `--set` and `--config`. So a setting added to
harness/settings/table.py reaches every command that runs the simulator, and
`--set` loses to an explicit flag the same way in all of them.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.package.variants import DEFAULT_VARIANT_TARGET
from harness.runners.choice import runner_choices
from harness.settings.config import parse_set_options
from harness.settings.table import Scope, Setting, settings_of

# Flags whose valid values a layer above settings owns (the runner registry owns the names).
CHOICES: dict[str, Callable[[], tuple[str, ...]]] = {"runner": runner_choices}


def _default(setting: Setting) -> str:
    return setting.default_text().replace("`", "")


def _help(setting: Setting) -> str:
    shown = "required" if not setting.has_default else f"default {_default(setting)}"
    return f"{setting.help} ({shown})".replace("%", "%%")


def _add_flag(parser: argparse.ArgumentParser, setting: Setting) -> None:
    """One run setting as a flag; absent from the namespace's values (None) unless given."""
    if setting.kind.python_type is bool:
        parser.add_argument(
            setting.flag, action=argparse.BooleanOptionalAction, default=None, help=_help(setting)
        )
        return
    choices = CHOICES[setting.name]() if setting.name in CHOICES else None
    parser.add_argument(
        setting.flag,
        type=setting.kind.from_text,
        choices=choices,
        metavar=None if choices else setting.kind.metavar,
        help=_help(setting),
    )


def profile_settings_epilog() -> str:
    """The profile settings, for `--set KEY=VALUE` or a config file, as `--help` ends."""
    lines = ["profile settings (--set KEY=VALUE, or KEY = VALUE in the --config file):"]
    for setting in settings_of(Scope.PROFILE):
        text = f"{setting.help} (default {_default(setting)})"
        lines.append(
            textwrap.fill(
                text, 79, initial_indent=f"  {setting.name:<20} ", subsequent_indent=" " * 23
            )
        )
    lines.append("docs/profiles.md says more, and gives the precedence.")
    return "\n".join(lines)


def add_run_options(parser: argparse.ArgumentParser, fixed: tuple[str, ...] = ()) -> None:
    """A flag per run setting (but those in `fixed`, which the command sets), --config, --set."""
    for setting in settings_of(Scope.RUN):
        if setting.name not in fixed:
            _add_flag(parser, setting)
    parser.add_argument(
        "--config", type=Path, metavar="FILE", help="TOML file of settings (below the CLI)"
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override one setting, e.g. --set train_budget_s=120 (repeatable; see below)",
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = profile_settings_epilog()


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings given on the command line: `--set` first, explicit flags over it.

    Only what the user gave (flags left at None are absent), so the config file
    and the profile still fill the rest.
    """
    values = parse_set_options(args.set)
    for setting in settings_of(Scope.RUN):
        value = getattr(args, setting.name, None)
        if value is not None:
            values[setting.name] = value
    return values


def add_ray_options(parser: argparse.ArgumentParser, unit: str) -> None:
    """What `sweep` and `tune` share: the file variants change, the Ray cluster, CPUs per task
    (`--cpus-per-<unit>`: one task runs one rehearsal, or one tune variant)."""
    parser.add_argument(
        "--variant-target",
        default=DEFAULT_VARIANT_TARGET,
        help="the submission's config file that variants change (default config.toml)",
    )
    parser.add_argument(
        "--address",
        metavar="HOST:PORT",
        help="join this Ray cluster (with a --runs-dir every node shares) instead of "
        "starting one here",
    )
    parser.add_argument(
        f"--cpus-per-{unit}",
        type=float,
        default=1.0,
        metavar="N",
        help=f"CPUs each {unit} reserves on Ray (default 1)",
    )
