"""`onlinesim sweep`: seeds x config variants x profiles as Ray tasks, mean ± SEM per variant."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli.options import add_ray_options, add_run_options, settings_from_args
from harness.sweep.summary import outcome_line, terminal_text
from harness.sweep.sweep import SweepPlan, sweep

NAME = "sweep"
HELP = (
    "Repeat rehearsals over seeds, config variants and profiles as Ray tasks (a local "
    "instance, or a cluster with --address) and report each variant's mean score ± SEM."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser, fixed=("profile", "seed"))
    parser.add_argument(
        "--seeds", type=int, default=3, metavar="N", help="seeds 0..N-1 per variant (default 3)"
    )
    parser.add_argument(
        "--profiles", nargs="+", default=["smoke"], metavar="NAME", help="default smoke"
    )
    parser.add_argument(
        "--variants",
        nargs="*",
        type=Path,
        default=[],
        metavar="FILE",
        help="TOML files laid over the submission's config file; the baseline always runs",
    )
    add_ray_options(parser, "rehearsal")


def run(args: argparse.Namespace) -> int:
    plan = SweepPlan(
        profiles=tuple(args.profiles),
        seeds=tuple(range(args.seeds)),
        variant_files=tuple(args.variants),
        variant_target=args.variant_target,
        address=args.address,
        cpus_per_rehearsal=args.cpus_per_rehearsal,
    )
    total = len(plan.seeds) * len(plan.profiles) * (len(plan.variant_files) + 1)
    done = []

    def print_line(outcome) -> None:
        done.append(outcome)
        print(outcome_line(outcome, len(done), total), flush=True)

    print(f"onlinesim: {total} rehearsals on Ray ({args.address or 'a local instance'})")
    result = sweep(settings_from_args(args), plan, args.config, print_line)
    print(terminal_text(result.rows))
    print(f"summary: {result.layout.summary}\npage: {result.layout.page}")
    sys.stdout.flush()
    return 0 if all(outcome.verdict == "passed" for outcome in result.outcomes) else 1
