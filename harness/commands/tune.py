"""`onlinesim tune`: compare submission configurations on the tuning split (1,000 / 300, 30 min)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.config import RUNNERS, parse_set_options
from harness.environments import DEFAULT_VARIANT_TARGET, TuneRow, tune
from harness.outcome import PhaseOutcome
from harness.simulate import RunObserver

NAME = "tune"
HELP = (
    "Run the tuning environment (validation drawn from the training side, never the "
    "hold-out reserve) once per config variant, and compare validation accuracy."
)


class PhaseLines(RunObserver):
    """One line per phase start and end, so long runs are not silent."""

    def phase_started(self, name: str, limit_s: float | None) -> None:
        limit = f" (limit {limit_s:g} s)" if limit_s else ""
        print(f"onlinesim: {name} started{limit}", flush=True)

    def phase_ended(self, outcome: PhaseOutcome) -> None:
        print(f"onlinesim: {outcome.phase} {outcome.status.value}", flush=True)


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The settings tune and pretrain share with simulate (the profile is theirs to fix)."""
    parser.add_argument("--submission", type=Path, help="folder holding submission.toml")
    parser.add_argument("--data", type=Path, help="data set folder: <class>/<image> inside")
    parser.add_argument("--runner", choices=RUNNERS, help="where phases run (default process)")
    parser.add_argument("--config", type=Path, help="TOML file of settings (below the CLI)")
    parser.add_argument("--time-scale", type=float, help="stretch every budget by this factor")
    parser.add_argument("--seed", type=int, help="seed of the train/test draw (default 0)")
    parser.add_argument("--runs-dir", type=Path, help="where run folders go (default runs)")
    parser.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override one setting (repeatable)"
    )
    parser.add_argument(
        "--allow-leakage",
        action="store_true",
        default=None,
        help="run even when pretrained weights saw some validation/test images (report warns)",
    )


def settings_from_args(args: argparse.Namespace) -> dict:
    """CLI settings: `--set` first, explicit flags over it; only what the user gave."""
    values = parse_set_options(args.set)
    flags = {
        "submission": args.submission,
        "data": args.data,
        "runner": args.runner,
        "time_scale": args.time_scale,
        "seed": args.seed,
        "runs_dir": args.runs_dir,
        "allow_leakage": args.allow_leakage,
    }
    values.update(
        {key: str(v) if isinstance(v, Path) else v for key, v in flags.items() if v is not None}
    )
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser)
    parser.add_argument(
        "--config-variant",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="TOML keys to lay over the submission's config file, one variant each (repeatable)",
    )
    parser.add_argument(
        "--variant-target",
        default=DEFAULT_VARIANT_TARGET,
        help="the submission's config file that variants change (default config.toml)",
    )


def format_table(rows: list[TuneRow]) -> str:
    """The comparison, best validation accuracy marked."""
    scored = [r.validation_accuracy for r in rows if r.passed and r.validation_accuracy is not None]
    best = max(scored, default=None)
    width = max(len("variant"), *(len(r.variant) for r in rows))
    lines = [f"{'variant':<{width}}  val acc  train      train s  run", "-" * (width + 50)]
    for row in rows:
        accuracy = (
            "   -  " if row.validation_accuracy is None else f"{row.validation_accuracy:6.2f}"
        )
        mark = " *" if best is not None and row.passed and row.validation_accuracy == best else "  "
        lines.append(
            f"{row.variant:<{width}}  {accuracy}{mark} {row.train_status:<10} "
            f"{row.train_wall_s:7.1f}  {row.run_id}"
        )
        for reason in row.reasons:
            lines.append(f"{'':<{width}}    {reason}")
    if best is not None:
        lines.append("* best validation accuracy")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    result = tune(
        settings_from_args(args),
        args.config_variant,
        args.config,
        args.variant_target,
        PhaseLines(),
    )
    print(format_table(result.rows))
    for warning in result.data_warnings:
        print(f"warning: {warning}")
    print(f"summary: {result.session / 'summary.json'}")
    return 0 if all(row.passed for row in result.rows) else 1
