"""The `onlinesim` command line: parses arguments and hands over to a command module."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from harness import __version__
from harness.cli.commands import command_modules
from harness.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onlinesim",
        description="Rehearse a code-submission contest's online round on your own machine.",
    )
    parser.add_argument("--version", action="version", version=f"onlinesim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module in command_modules().items():
        command_parser = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command_parser)
        command_parser.set_defaults(run=module.run)
    return parser


def _stop_like_ctrl_c(signum: int, _frame: object) -> None:
    """SIGTERM and SIGHUP end the harness as Ctrl-C does: phases stopped, a report written.

    Further signals are ignored while that clean-up runs (it is bounded by the grace).
    """
    for name in STOP_SIGNALS:
        signal.signal(name, signal.SIG_IGN)
    raise KeyboardInterrupt(signal.Signals(signum).name)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for name in STOP_SIGNALS:
        signal.signal(name, _stop_like_ctrl_c)
    try:
        return args.run(args)
    except UserError as error:
        print(f"onlinesim: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt as stop:
        print(
            f"onlinesim: interrupted ({stop})" if str(stop) else "onlinesim: interrupted",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
