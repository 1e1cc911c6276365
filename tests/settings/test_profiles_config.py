"""Profiles, config files, `--set` and the stated precedence CLI > file > profile > defaults."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from harness.errors import UserError
from harness.settings.config import parse_set_options, parse_set_value, resolve_config
from harness.settings.profiles import load_profiles
from harness.settings.table import Scope, settings_of

REQUIRED = {"submission": "sub", "data": "set"}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_profiles_carry_the_contest_numbers() -> None:
    profiles = load_profiles()
    assert {"online", "tune", "pretrain", "smoke"} <= set(profiles)
    online, tune = profiles["online"], profiles["tune"]
    assert (online["train_images"], online["test_images"]) == (6000, 600)
    assert online["train_budget_s"] == 3 * 3600 and online["per_image_ms"] == 500
    assert online["network"] is False and online["train_gpu"] == 1 and online["predict_gpu"] == 0
    assert (tune["train_images"], tune["test_images"], tune["train_budget_s"]) == (1000, 300, 1800)
    assert profiles["pretrain"]["train_images"] == "all"
    for profile in profiles.values():
        assert set(profile) == {setting.name for setting in settings_of(Scope.PROFILE)}


def test_profile_value_is_used_when_nothing_overrides_it() -> None:
    config = resolve_config({**REQUIRED, "profile": "tune"})
    assert config.train_images == 1000 and config.train_budget_s == 1800
    assert config.runner == "process" and config.seed == 0 and config.time_scale == 1.0


def test_default_profile_is_online() -> None:
    assert resolve_config(REQUIRED).profile == "online"


def test_precedence_cli_over_file_over_profile(tmp_path: Path) -> None:
    file = write(
        tmp_path / "run.toml",
        'profile = "tune"\ntrain_budget_s = 900\nseed = 5\ntest_images = 100\n',
    )
    from_file = resolve_config(REQUIRED, file)
    assert from_file.profile == "tune"
    assert (from_file.train_budget_s, from_file.seed, from_file.test_images) == (900, 5, 100)
    assert from_file.train_images == 1000  # untouched: the profile's value
    cli = resolve_config({**REQUIRED, "seed": 7, "train_budget_s": 60, "profile": "smoke"}, file)
    assert (cli.profile, cli.seed, cli.train_budget_s) == ("smoke", 7, 60)
    assert cli.test_images == 100  # the file still beats the (now smoke) profile


def test_config_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    file = write(tmp_path / "conf" / "run.toml", 'submission = "../sub"\ndata = "imgs"\n')
    config = resolve_config({}, file)
    assert Path(config.submission) == tmp_path / "conf" / ".." / "sub"
    assert Path(config.data) == tmp_path / "conf" / "imgs"


def test_config_file_can_add_a_profile_on_top_of_defaults(tmp_path: Path) -> None:
    file = write(
        tmp_path / "run.toml",
        'profile = "tiny"\n[profiles.tiny]\ndescription = "mine"\n'
        "train_images = 10\ntest_images = 6\ntrain_budget_s = 5\n",
    )
    config = resolve_config(REQUIRED, file)
    assert (config.profile, config.train_images, config.train_budget_s) == ("tiny", 10, 5)
    assert config.per_image_ms == 500  # the table's default


def test_unknown_profile_lists_the_valid_names() -> None:
    with pytest.raises(UserError) as caught:
        resolve_config({**REQUIRED, "profile": "onlin"})
    assert "onlin" in str(caught.value) and "online, pretrain, smoke, tune" in str(caught.value)


def test_unknown_setting_in_a_file_names_the_file_and_the_valid_keys(tmp_path: Path) -> None:
    file = write(tmp_path / "run.toml", "train_budget = 10\n")
    with pytest.raises(UserError) as caught:
        resolve_config(REQUIRED, file)
    message = str(caught.value)
    assert str(file) in message and "train_budget" in message and "train_budget_s" in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("train_images", -3, 'positive whole number or "all"'),
        ("time_scale", 0, "above 0"),
        ("network", "no", "true or false"),
        ("when_short", "drop", '"scale_down" or "refuse"'),
        ("holdout_fraction", 1.5, "between 0 and 1"),
        ("runner", " ", "a name"),
    ],
)
def test_bad_values_are_refused_with_the_rule(key: str, value: object, expected: str) -> None:
    with pytest.raises(UserError) as caught:
        resolve_config({**REQUIRED, key: value})
    assert key in str(caught.value) and expected in str(caught.value)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    file = write(tmp_path / "run.toml", "seed = = 3\n")
    with pytest.raises(UserError, match="not valid TOML"):
        resolve_config(REQUIRED, file)


def test_missing_submission_says_how_to_give_it() -> None:
    with pytest.raises(UserError, match="--submission"):
        resolve_config({"data": "set"})


def test_time_scale_stretches_every_budget_but_not_grace() -> None:
    config = resolve_config({**REQUIRED, "profile": "online", "time_scale": 2.0})
    limits = config.scaled()
    assert limits.train_budget_s == 2 * 10800
    assert limits.per_image_s == pytest.approx(1.0)
    assert limits.predict_setup_s == 2 * config.predict_setup_s
    assert limits.request_timeout_s == 2 * config.request_timeout_s
    assert limits.grace_s == config.grace_s


def test_set_values_are_read_as_toml_or_text() -> None:
    assert parse_set_value("120") == 120 and parse_set_value("0.5") == 0.5
    assert parse_set_value("true") is True and parse_set_value("all") == "all"
    assert parse_set_options(["seed=3", "train_images=all"]) == {"seed": 3, "train_images": "all"}
    with pytest.raises(UserError, match="key=value"):
        parse_set_options(["seed"])


def test_memory_limit_none_means_unlimited() -> None:
    config = resolve_config({**REQUIRED, "memory_limit_mb": "none"})
    assert config.memory_limit_bytes is None
    assert resolve_config({**REQUIRED, "memory_limit_mb": 2}).memory_limit_bytes == 2 * 2**20


def test_resolved_config_is_written_as_json(tmp_path: Path) -> None:
    config = resolve_config({**REQUIRED, "profile": "smoke", "seed": 4})
    written = json.loads(config.write(tmp_path).read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(asdict(config)))
    assert written["seed"] == 4 and written["profile"] == "smoke"


def test_incomplete_or_wrong_profile_in_a_file_is_named(tmp_path: Path) -> None:
    lacking = write(tmp_path / "a.toml", '[profiles.tiny]\ndescription = "x"\ntrain_images = 10\n')
    with pytest.raises(UserError, match="profile 'tiny' lacks test_images, train_budget_s"):
        resolve_config({**REQUIRED, "profile": "tiny"}, lacking)
    wrong = write(tmp_path / "b.toml", "[profiles.smoke]\ngrace_s = -1\n")
    with pytest.raises(UserError) as caught:
        resolve_config(REQUIRED, wrong)
    assert f"{wrong} [smoke]: grace_s must be a number of 0 or more" in str(caught.value)


def test_docker_image_cli_over_file_over_environment_over_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONLINESIM_DOCKER_IMAGE", raising=False)
    assert resolve_config(REQUIRED).docker_image == "onlinesim:latest"
    monkeypatch.setenv("ONLINESIM_DOCKER_IMAGE", "from-env:1")
    assert resolve_config(REQUIRED).docker_image == "from-env:1"
    config_file = write(tmp_path / "c.toml", 'docker_image = "from-file:2"\n')
    assert resolve_config(REQUIRED, config_file).docker_image == "from-file:2"
    cli = {**REQUIRED, "docker_image": "from-cli:3"}
    assert resolve_config(cli, config_file).docker_image == "from-cli:3"
    with pytest.raises(UserError, match="docker_image must be an image name"):
        resolve_config({**REQUIRED, "docker_image": " "})
