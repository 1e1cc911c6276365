"""The run options that simulate, tune and pretrain share, and the settings they give.

One definition, so a setting added here reaches every command that runs the
simulator, and `--set` loses to an explicit flag the same way in all of them.
Lives outside harness/cli/commands/, where every module is taken as a command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.settings.config import RUNNERS, parse_set_options

# The settings add_run_options gives, by their RunConfig name (= the argparse dest).
RUN_OPTION_SETTINGS = (
    "submission",
    "data",
    "runner",
    "time_scale",
    "seed",
    "runs_dir",
    "allow_leakage",
)


def add_run_options(parser: argparse.ArgumentParser, guarded: str) -> None:
    """--submission, --data, --runner, --config, --time-scale, --seed, --runs-dir, --set and
    --allow-leakage, whose help names the images the command keeps from the weights (`guarded`)."""
    parser.add_argument("--submission", type=Path, help="folder holding submission.toml")
    parser.add_argument("--data", type=Path, help="data set folder: <class>/<image> inside")
    parser.add_argument("--runner", choices=RUNNERS, help="where phases run (default process)")
    parser.add_argument("--config", type=Path, help="TOML file of settings (below the CLI)")
    parser.add_argument("--time-scale", type=float, help="stretch every budget by this factor")
    parser.add_argument("--seed", type=int, help="seed of the train/test draw (default 0)")
    parser.add_argument("--runs-dir", type=Path, help="where run folders go (default runs)")
    parser.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override one setting, e.g. --set train_budget_s=120 (repeatable)",
    )
    parser.add_argument(
        "--allow-leakage",
        action="store_true",
        default=None,
        help=f"run even when the pretrained weights saw some {guarded} (report warns)",
    )


def settings_from_args(args: argparse.Namespace, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The settings given on the command line: `--set` first, explicit flags over it.

    Only what the user gave (flags left at None are absent), so the config file
    and the profile still fill the rest. `extra` names a command's own
    setting flags beyond those of add_run_options.
    """
    values = parse_set_options(args.set)
    for name in (*RUN_OPTION_SETTINGS, *extra):
        value = getattr(args, name)
        if value is not None:
            values[name] = value
    return values
