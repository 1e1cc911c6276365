"""`onlinesim pretrain`: train on every image outside the hold-out reserve, install the weights."""

from __future__ import annotations

import argparse

from harness.cli.options import add_run_options, settings_from_args
from harness.cli.progress import PhaseLines
from harness.environments.pretrain import pretrain
from harness.report.document import summary_text

NAME = "pretrain"
HELP = (
    "Train the submission on all local images except the hold-out reserve and install the "
    "model into its weights/pretrained/ with a provenance record (second transfer)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser, fixed=("profile",))


def run(args: argparse.Namespace) -> int:
    result = pretrain(settings_from_args(args), args.config, PhaseLines())
    print(summary_text(result.run.report, result.run.report_path))
    if result.installed is None:
        print("onlinesim: pretraining did not pass; nothing was installed into the submission.")
        return 1
    installed = result.installed
    print(f"onlinesim: installed {installed.files} file(s) into {installed.target}")
    print(
        f"onlinesim: provenance ({len(result.provenance.images)} images) in {installed.provenance}"
    )
    if installed.replaced_to is not None:
        print(f"onlinesim: the previous weights/pretrained/ was moved to {installed.replaced_to}")
    else:
        print("onlinesim: there was no previous weights/pretrained/; nothing was replaced")
    return 0
