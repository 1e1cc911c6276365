"""`onlinesim report`: rebuild a run's HTML page from its folder (e.g. after an upgrade)."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.report.page import write_report_page

NAME = "report"
HELP = "Regenerate a run's page (report.html) from its report.json and traces."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="a run folder, runs/<id>")


def run(args: argparse.Namespace) -> int:
    print(write_report_page(args.run_dir))
    return 0
