"""`onlinesim simulate`: one rehearsal of the online round. Exit 0 passed, 1 failed, 2 bad input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.config import RUNNERS, parse_set_options, resolve_config
from harness.outcome import PhaseOutcome
from harness.progress import TerminalProgress
from harness.report import summary_text
from harness.simulate import RunObserver, choose_runner, simulate

NAME = "simulate"
HELP = "Rehearse the online round: stage a hidden split, train, predict, score, report."


class PhaseLines(RunObserver):
    """Off a terminal (CI logs, pipes): one line per phase start and end, no redraws."""

    def phase_started(self, name: str, limit_s: float | None) -> None:
        limit = f" (limit {limit_s:g} s)" if limit_s else ""
        print(f"onlinesim: {name} started{limit}", flush=True)

    def phase_ended(self, outcome: PhaseOutcome) -> None:
        print(f"onlinesim: {outcome.phase} {outcome.status.value}", flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--submission", type=Path, help="folder holding submission.toml")
    parser.add_argument("--data", type=Path, help="data set folder: <class>/<image> inside")
    parser.add_argument("--profile", help="online, tune, pretrain, smoke (harness/profiles.toml)")
    parser.add_argument("--runner", choices=RUNNERS, help="where phases run (default process)")
    parser.add_argument(
        "--docker-image",
        help="image of the docker runner (default $ONLINESIM_DOCKER_IMAGE, else onlinesim:latest)",
    )
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
        help="run even when the pretrained weights saw some test images (report warns)",
    )


def cli_settings(args: argparse.Namespace) -> dict:
    """The settings given on the command line: `--set` first, explicit flags over it."""
    values = parse_set_options(args.set)
    flags = {
        "submission": args.submission,
        "data": args.data,
        "profile": args.profile,
        "runner": args.runner,
        "time_scale": args.time_scale,
        "seed": args.seed,
        "runs_dir": args.runs_dir,
        "allow_leakage": args.allow_leakage,
        "docker_image": args.docker_image,
    }
    values.update({key: value for key, value in flags.items() if value is not None})
    return values


def run(args: argparse.Namespace) -> int:
    config = resolve_config(cli_settings(args), args.config)
    choice = choose_runner(config.runner, config.docker_image)
    print(f"onlinesim: {choice[1]}", flush=True)
    observer = TerminalProgress() if sys.stdout.isatty() else PhaseLines()
    result = simulate(config, observer, choice)
    print(summary_text(result.report, result.report_path))
    sys.stdout.flush()
    return 0 if result.passed else 1
