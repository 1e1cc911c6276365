"""`onlinesim tune`: compare submission configurations on the tuning split (1,000 / 300, 30 min)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.options import add_ray_options, add_run_options, settings_from_args
from harness.environments.tune import TuneRay, TuneRow, tune

NAME = "tune"
HELP = (
    "Run the tuning environment (validation drawn from the training side, never the "
    "hold-out reserve) once per config variant, and compare validation accuracy."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser, fixed=("profile",))
    parser.add_argument(
        "--config-variant",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="TOML keys to lay over the submission's config file, one variant each (repeatable)",
    )
    add_ray_options(parser, "variant")


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
        wall = "      -" if row.train_wall_s is None else f"{row.train_wall_s:7.1f}"
        mark = " *" if best is not None and row.passed and row.validation_accuracy == best else "  "
        lines.append(
            f"{row.variant:<{width}}  {accuracy}{mark} {row.train_status:<10} {wall}  {row.run_id}"
        )
        for reason in row.reasons:
            lines.append(f"{'':<{width}}    {reason}")
    if best is not None:
        lines.append("* best validation accuracy")
    return "\n".join(lines)


def row_line(row: TuneRow, done: int, total: int) -> str:
    """The progress line printed as each variant's run ends."""
    accuracy = "" if row.validation_accuracy is None else f" val acc {row.validation_accuracy:.2f}"
    verdict = "passed" if row.passed else f"failed (train {row.train_status})"
    return f"onlinesim: [{done}/{total}] {row.variant}: {verdict}{accuracy}  {row.run_id}"


def run(args: argparse.Namespace) -> int:
    total = len(args.config_variant) + 1
    done = []

    def print_line(row: TuneRow) -> None:
        done.append(row)
        print(row_line(row, len(done), total), flush=True)

    print(f"onlinesim: {total} variants on Ray ({args.address or 'a local instance'})", flush=True)
    result = tune(
        settings_from_args(args),
        args.config_variant,
        args.config,
        args.variant_target,
        print_line,
        TuneRay(args.address, args.cpus_per_variant),
    )
    print(format_table(result.rows))
    for warning in result.data_warnings:
        print(f"warning: {warning}")
    print(f"summary: {result.session / 'summary.json'}")
    return 0 if all(row.passed for row in result.rows) else 1
