"""`onlinesim simulate`: one rehearsal of the online round. Exit 0 passed, 1 failed, 2 bad input."""

from __future__ import annotations

import argparse
import sys

from harness.cli.options import add_run_options, settings_from_args
from harness.cli.progress import PhaseLines, TerminalProgress
from harness.report.document import summary_text
from harness.run.simulate import choose_runner, simulate
from harness.settings.config import resolve_config

NAME = "simulate"
HELP = "Rehearse the online round: stage a hidden split, train, predict, score, report."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser)


def run(args: argparse.Namespace) -> int:
    config = resolve_config(settings_from_args(args), args.config)
    choice = choose_runner(config.runner, config.docker_image)
    print(f"onlinesim: {choice[1]}", flush=True)
    observer = TerminalProgress() if sys.stdout.isatty() else PhaseLines()
    result = simulate(config, observer, choice)
    print(summary_text(result.report, result.report_path))
    sys.stdout.flush()
    return 0 if result.passed else 1
