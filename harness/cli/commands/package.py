"""`onlinesim package`: the upload tarball, only for content that passed online."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.upload import LAYOUTS, PackageConfig, build_package

NAME = "package"
HELP = "Build the upload tarball (and its .sha256) from a submission that passed online."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = PackageConfig(submission=Path("submission"))
    parser.add_argument("--submission", type=Path, default=defaults.submission)
    parser.add_argument("--out", type=Path, default=defaults.out_dir, help="output folder")
    parser.add_argument("--layout", choices=sorted(LAYOUTS), default=defaults.layout)
    parser.add_argument(
        "--max-size-mb", type=float, default=defaults.max_size_mb, help="package size limit"
    )
    parser.add_argument("--runs", type=Path, default=defaults.runs_dir, help="where reports are")
    parser.add_argument("--report", type=Path, help="a report.json that shows the pass")
    parser.add_argument("--data", type=Path, help="data set whose classes fill class_index.txt")
    parser.add_argument(
        "--force", action="store_true", help="package even without a passing online report"
    )


def run(args: argparse.Namespace) -> int:
    result = build_package(
        PackageConfig(
            submission=args.submission,
            out_dir=args.out,
            layout=args.layout,
            max_size_mb=args.max_size_mb,
            force=args.force,
            runs_dir=args.runs,
            report=args.report,
            data=args.data,
        )
    )
    for skipped in result.skipped_checks:
        print(f"WARNING: {skipped}", file=sys.stderr)
        print("WARNING: this tarball was NOT shown to pass the online profile.", file=sys.stderr)
    if result.report:
        accuracy = result.report.accuracy
        score = f", score {accuracy:.2f}" if accuracy is not None else ""
        print(f"passed online in run {result.report.run_id}{score} ({result.report.path})")
        for deviation in result.report.deviations:
            print(f"note: that run passed with {deviation}")
    if result.junk:
        print(f"left out {len(result.junk)} junk entries: {', '.join(result.junk)}")
    if result.outputs:
        print(f"left out the harness's output folders: {', '.join(result.outputs)}")
    print(f"content sha256 {result.content_sha256}")
    print(f"wrote {result.tarball} ({result.size_bytes / 1024 / 1024:.2f} MB)")
    print(f"sha256 {result.sha256}  ({result.tarball.name}.sha256)")
    return 0
