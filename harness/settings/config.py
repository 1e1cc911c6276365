"""One RunConfig per rehearsal, resolved with a stated precedence.

Precedence, highest first: the command line (flags, then `--set key=value`),
the config file (`--config FILE`, TOML), the chosen profile, the settings'
defaults (harness/settings/table.py, or a config file's `[profiles.defaults]`
for profile settings). The resolved config is written to the run folder as
config.json, so a run can always be explained and repeated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, make_dataclass
from pathlib import Path
from typing import Any

from harness.errors import UserError
from harness.settings.profiles import (
    BUILTIN_PROFILES,
    builtin_tables,
    merge_profile_tables,
    pick_profile,
    read_toml,
    resolve_profiles,
)
from harness.settings.run_layout import RunLayout
from harness.settings.table import SETTINGS, Scope, check_setting, settings_of
from harness.settings.values import PATH, toml_value


@dataclass(frozen=True)
class ScaledLimits:
    """The limits a run enforces: the profile's numbers times the time scale."""

    train_budget_s: float
    predict_setup_s: float
    per_image_s: float
    request_timeout_s: float
    grace_s: float


class _RunConfigRules:
    """What a RunConfig derives from its settings (its fields come from the table)."""

    @property
    def memory_limit_bytes(self) -> int | None:
        return None if self.memory_limit_mb is None else self.memory_limit_mb * 1024 * 1024

    @property
    def gpu_memory_limit_bytes(self) -> int | None:
        return None if self.gpu_memory_limit_mb is None else self.gpu_memory_limit_mb * 1024 * 1024

    @property
    def disk_limit_bytes(self) -> int | None:
        return None if self.disk_limit_mb is None else self.disk_limit_mb * 1024 * 1024

    def scaled(self) -> ScaledLimits:
        """Every budget stretched by time_scale; grace is harness mechanics, not a budget."""
        k = self.time_scale
        return ScaledLimits(
            train_budget_s=self.train_budget_s * k,
            predict_setup_s=self.predict_setup_s * k,
            per_image_s=self.per_image_ms / 1000.0 * k,
            request_timeout_s=self.request_timeout_s * k,
            grace_s=self.grace_s,
        )

    def profile_settings(self) -> dict[str, Any]:
        """The profile part of the config (what report.json shows as `profile`)."""
        values = asdict(self)
        shown = {"name": self.profile}
        shown.update({s.name: values[s.name] for s in settings_of(Scope.PROFILE)})
        shown["seed"] = self.seed
        return shown

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    def write(self, run_dir: Path) -> Path:
        path = RunLayout(Path(run_dir)).config
        path.write_text(self.to_json(), encoding="utf-8")
        return path


RunConfig = make_dataclass(
    "RunConfig",
    [(setting.name, setting.kind.python_type) for setting in SETTINGS.values()],
    bases=(_RunConfigRules,),
    frozen=True,
    namespace={
        "__module__": __name__,
        "__doc__": "Everything one rehearsal runs under: a field per setting of settings/table.py.",
    },
)


def parse_set_value(text: str, key: str | None = None) -> Any:
    """A `--set` value: text for a setting whose text is its value (a path), else TOML or text."""
    setting = SETTINGS.get(key) if key else None
    return setting.kind.from_text(text) if setting else toml_value(text)


def parse_set_options(items: list[str] | None) -> dict[str, Any]:
    """`["key=value", ...]` into a dict; a UserError for an item without `=`."""
    parsed: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set {item!r}: expected key=value, for example --set seed=3.")
        parsed[key.strip()] = parse_set_value(text.strip(), key.strip())
    return parsed


def _file_values(config_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """A config file's settings (paths made relative to its folder) and its profile tables."""
    raw = read_toml(config_path)
    profile_tables = raw.pop("profiles", {})
    if not isinstance(profile_tables, Mapping):
        raise UserError(f"{config_path}: 'profiles' must be tables [profiles.<name>].")
    values = {key: check_setting(key, value, str(config_path)) for key, value in raw.items()}
    for key in values:
        if SETTINGS[key].kind is PATH:
            values[key] = str(config_path.parent / values[key])
    return values, dict(profile_tables)


def _run_defaults() -> dict[str, Any]:
    """The run settings' defaults (checked: an environment variable may have set one)."""
    return {
        s.name: s.check(s.default_value(), f"default of {s.name}")
        for s in settings_of(Scope.RUN)
        if s.has_default
    }


def resolve_config(cli: Mapping[str, Any], config_path: Path | None = None) -> RunConfig:
    """CLI > config file > profile > defaults; `cli` holds only the keys the user gave."""
    file_values: dict[str, Any] = {}
    tables = builtin_tables()
    source = str(BUILTIN_PROFILES)
    if config_path is not None:
        file_values, extra_tables = _file_values(Path(config_path))
        tables = merge_profile_tables(tables, extra_tables, str(config_path))
        source = f"{BUILTIN_PROFILES} with {config_path}"
    cli_values = {key: check_setting(key, value, "command line") for key, value in cli.items()}
    defaults = _run_defaults()
    name = cli_values.get("profile") or file_values.get("profile") or defaults["profile"]
    profile = pick_profile(resolve_profiles(tables, source), name)
    values = {**defaults, **profile, **file_values, **cli_values, "profile": name}
    for setting in settings_of(Scope.RUN):
        if setting.name not in values:
            metavar = setting.kind.metavar
            raise UserError(
                f"no {setting.name} given ({setting.help}).",
                hint=f'pass {setting.flag} {metavar}, or set {setting.name} = "{metavar}" '
                "in the config file.",
            )
    return RunConfig(**values)
