"""The settings table is the one declaration: RunConfig, the docs and the defaults follow it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from harness.settings.config import RunConfig, resolve_config
from harness.settings.table import DOCKER_IMAGE_ENV, SETTINGS, Scope, settings_of

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {"submission": "sub", "data": "set"}


def documented_rows() -> dict[str, list[str]]:
    """The rows of docs/profiles.md's "... settings" sections, by `key`: the cells after it."""
    rows = {}
    in_settings = False
    for line in (REPO / "docs" / "profiles.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_settings = "settings" in line.lower()
        match = re.match(r"\|\s*`(\w+)`\s*\|(.*)\|\s*$", line)
        if in_settings and match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def test_docs_list_every_setting_with_its_default() -> None:
    rows = documented_rows()
    for setting in SETTINGS.values():
        assert setting.name in rows, f"docs/profiles.md lacks {setting.name}"
        cells = rows[setting.name]
        if setting.scope is Scope.RUN:
            assert cells[0] == f"`{setting.flag}`", setting.name
            cells = cells[1:]
        assert cells[0] == setting.default_text(), setting.name
    assert set(rows) <= set(SETTINGS), "docs/profiles.md lists a setting the table lacks"


def test_run_config_has_one_field_per_setting_in_table_order() -> None:
    assert [field.name for field in dataclasses.fields(RunConfig)] == list(SETTINGS)


def test_every_default_passes_its_own_check() -> None:
    for setting in SETTINGS.values():
        if setting.has_default:
            setting.check(setting.default, "the table")


def test_a_profile_takes_the_table_default_for_what_it_leaves_out() -> None:
    online = resolve_config({**REQUIRED, "profile": "online"})
    for setting in settings_of(Scope.PROFILE):
        if setting.has_default:
            assert getattr(online, setting.name) == setting.check(setting.default, "the table")
    smoke = resolve_config({**REQUIRED, "profile": "smoke"})
    assert smoke.train_gpu == 0 and smoke.memory_limit_mb == 6144  # the profile's own numbers


def test_run_settings_take_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DOCKER_IMAGE_ENV, raising=False)
    config = resolve_config(REQUIRED)
    for setting in settings_of(Scope.RUN):
        if setting.has_default:
            assert getattr(config, setting.name) == setting.default


def test_a_config_files_defaults_table_changes_every_profile(tmp_path: Path) -> None:
    file = tmp_path / "run.toml"
    file.write_text("[profiles.defaults]\nper_image_ms = 250\n", encoding="utf-8")
    assert resolve_config({**REQUIRED, "profile": "online"}, file).per_image_ms == 250
    assert resolve_config({**REQUIRED, "profile": "tune"}, file).per_image_ms == 250


def test_a_run_setting_in_a_profile_table_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "run.toml"
    file.write_text("[profiles.smoke]\nseed = 3\n", encoding="utf-8")
    with pytest.raises(Exception, match="unknown setting 'seed'"):
        resolve_config(REQUIRED, file)
