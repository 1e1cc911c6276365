"""`onlinesim compare`: runs side by side, on the terminal and optionally as a page."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.report.compare import comparison_rows, format_table, load_summaries, write_compare_page

NAME = "compare"
HELP = "Show two or more runs side by side (score, phase times, peak memory, p99, verdict)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "run_dirs", nargs="+", type=Path, metavar="RUN_DIR", help="run folders, e.g. runs/<id>"
    )
    parser.add_argument(
        "--html",
        type=Path,
        metavar="OUT",
        help="also write the comparison as a self-contained page here",
    )


def run(args: argparse.Namespace) -> int:
    runs = load_summaries(args.run_dirs)
    print(format_table(comparison_rows(runs)))
    if args.html is not None:
        print(f"\npage: {write_compare_page(runs, args.html)}")
    return 0
