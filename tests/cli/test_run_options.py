"""The run flags are made from the settings table: help, defaults, text, and precedence."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from harness.cli.commands import COMMANDS, command_modules
from harness.cli.main import build_parser
from harness.cli.options import add_run_options, settings_from_args
from harness.settings.config import resolve_config
from harness.settings.table import Scope, settings_of

COMMANDS_DIR = Path(__file__).resolve().parents[2] / "harness" / "cli" / "commands"


def parse(*argv: str, fixed: tuple[str, ...] = ()) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_run_options(parser, fixed)
    return parser.parse_args(argv)


def test_help_shows_each_settings_help_and_default() -> None:
    parser = argparse.ArgumentParser()
    add_run_options(parser)
    text = _unwrapped(parser.format_help())
    for setting in settings_of(Scope.RUN):
        assert _unwrapped(setting.flag) in text and _unwrapped(setting.help) in text, setting.name
    for setting in settings_of(Scope.PROFILE):
        assert _unwrapped(f"{setting.name} {setting.help}") in text, setting.name
    assert "(default2019)" in text and "(default1.0)" in text


def _unwrapped(text: str) -> str:
    """Without whitespace: argparse wraps lines at spaces and after hyphens."""
    return "".join(text.split())


def test_simulate_has_every_run_flag_and_tune_fixes_the_profile() -> None:
    simulate = build_parser().parse_args(["simulate", "--profile", "smoke", "--seed", "3"])
    assert (simulate.profile, simulate.seed) == ("smoke", 3)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["tune", "--profile", "smoke"])
    tune = build_parser().parse_args(["tune", "--docker-image", "mine:1"])
    assert settings_from_args(tune) == {"docker_image": "mine:1"}


def test_path_text_stays_text_and_numbers_are_read_as_toml() -> None:
    args = parse("--submission", "2019", "--set", "data=2024-01-01", "--time-scale", "2")
    assert settings_from_args(args) == {"submission": "2019", "data": "2024-01-01", "time_scale": 2}
    assert resolve_config(settings_from_args(args)).submission == "2019"


def test_boolean_flags_say_yes_and_no() -> None:
    assert settings_from_args(parse("--allow-leakage")) == {"allow_leakage": True}
    assert settings_from_args(parse("--no-allow-leakage")) == {"allow_leakage": False}
    assert settings_from_args(parse()) == {}


def test_a_bad_flag_value_is_refused_with_the_rule() -> None:
    args = parse("--submission", "s", "--data", "d", "--seed", "-1")
    with pytest.raises(Exception, match="command line: seed must be a whole number of 0 or more"):
        resolve_config(settings_from_args(args))


def test_unknown_runner_is_refused_by_the_flag() -> None:
    with pytest.raises(SystemExit):
        parse("--runner", "kubernetes")


def test_precedence_flag_over_set_over_file_over_profile_over_default(tmp_path: Path) -> None:
    file = tmp_path / "run.toml"
    file.write_text(
        'profile = "tune"\nsubmission = "s"\ndata = "d"\n'
        "seed = 5\ngrace_s = 4\ntest_images = 100\n",
        encoding="utf-8",
    )
    args = parse("--set", "seed=6", "--set", "grace_s=3", "--seed", "7", "--config", str(file))
    config = resolve_config(settings_from_args(args), args.config)
    assert config.seed == 7  # the flag beats --set and the file
    assert config.grace_s == 3  # --set beats the file
    assert config.test_images == 100  # the file beats the profile
    assert config.train_images == 1000  # the profile (tune) beats nothing given
    assert config.per_image_ms == 500  # the table's default
    assert config.time_scale == 1.0  # a run setting's default


def test_every_command_module_is_listed() -> None:
    modules = {path.stem for path in COMMANDS_DIR.glob("*.py") if path.stem != "__init__"}
    assert {module.__name__.rsplit(".", 1)[1] for module in COMMANDS} == modules
    assert list(command_modules())[:3] == ["simulate", "tune", "pretrain"]
